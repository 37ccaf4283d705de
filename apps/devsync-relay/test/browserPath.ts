import { existsSync } from 'node:fs';

/** Where a Chromium or Chrome is: $CHROMIUM, else where Debian, Ubuntu, macOS and Windows put one. */
export function findBrowser(): string | undefined {
  const candidates = [
    process.env.CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
  ];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}
