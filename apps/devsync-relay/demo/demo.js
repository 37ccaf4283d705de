// The demo page's script (a file of its own: the page's Content-Security-Policy allows no inline script).
import { WebDevSync } from './webdevsync.js';

const sync = new WebDevSync();
window.webDevSync = sync;
const statusEl = document.getElementById('status');
// The command names this relay as the agent takes it: host:port, or the https:// address behind a TLS proxy.
document.getElementById('agent-command').textContent = `devsync-desktop --relay ${location.protocol === 'https:' ? `https://${location.host}` : location.host}`;
const messages = document.getElementById('messages');

/** What each relay error means to the person at the page. */
const words = {
  PAIRING_FAILED: 'That pairing token is unknown or has expired. Run devsync-desktop --pair for a new one and enter it here.',
  AUTH_FAILED: "The relay no longer knows this page's pairing. Run devsync-desktop --pair and enter the new token.",
  NOT_PAIRED: 'Pair this page first: enter the token devsync-desktop printed.',
  NO_DESKTOP: 'Your desktop agent is not connected to this relay. Start devsync-desktop (the command above), then press "Edit externally" again.',
  CODE_TOO_LARGE: 'This field is too large to edit externally.',
  RATE_LIMITED: 'Too many messages at once: the relay is slowing this page down.',
  SESSION_NOT_FOUND: 'This field is no longer open in your editor. Press "Edit externally" to open it again.',
  UNSUPPORTED_PROTOCOL: 'This page and the relay speak different versions of the protocol. Reload the page.',
};
const say = (error) => words[error.code] ?? error.message;

/**
 * Shows a notice, newest first. A notice with a `key` replaces the one shown under the same key, and
 * `clear(key)` takes it away once what it reported is settled; the same text twice in a row is shown once.
 */
function notice(text, kind = '', key = undefined) {
  if (key !== undefined) clear(key);
  const newest = messages.firstElementChild;
  if (newest && newest.textContent === text) return;
  const div = document.createElement('div');
  div.className = `notice ${kind}`;
  if (key !== undefined) div.dataset.key = key;
  div.textContent = text;
  messages.prepend(div);
  while (messages.children.length > 5) messages.lastElementChild.remove();
}
function clear(key) {
  for (const div of messages.querySelectorAll('.notice')) if (div.dataset.key === key) div.remove();
}

/** Marks field `fieldId` as open in the editor, or not. */
function showOpen(fieldId, open) {
  const badge = document.getElementById(`${fieldId}-open`);
  if (badge) badge.hidden = !open;
}

sync.statusChange((status) => {
  statusEl.textContent = status;
  statusEl.dataset.status = status;
  if (status === 'connected') clear('connection');
});
sync.onError((error) => notice(say(error), 'error', error.code === 'NO_DESKTOP' ? 'agent' : 'connection'));
const agentEl = document.getElementById('agent');
sync.onDesktopStatus((connected) => {
  agentEl.textContent = connected ? 'connected' : 'not connected';
  agentEl.dataset.status = connected ? 'connected' : 'away';
  if (connected) clear('agent');
});
sync.onConflict((conflict) => {
  notice(
    `Conflict in ${conflict.fieldId}: the page and the editor both changed version ${conflict.version - 1}.\n` +
      `The page kept its text; the editor's is still in its file (save it again to use it here).`,
    '',
    `conflict:${conflict.fieldId}`,
  );
});
// A save that came through settles the field's conflict, and shows that the agent is there.
sync.onCodeUpdate((update) => {
  clear(`conflict:${update.fieldId}`);
  clear('agent');
});
sync.onSessionEnd((end) => {
  showOpen(end.fieldId, false);
  clear(`conflict:${end.fieldId}`);
  if (end.reason !== 'closed') notice(`Editing of ${end.fieldId} ended: ${end.reason === 'expired' ? 'nothing happened in it for too long' : end.reason === 'browser_gone' ? 'this page was away too long' : end.reason}.`, '', `ended:${end.fieldId}`);
});

for (const field of document.querySelectorAll('textarea')) {
  const counter = document.getElementById(`${field.id}-inputs`);
  field.addEventListener('input', () => { counter.textContent = String(Number(counter.textContent) + 1); });
}

document.getElementById('pair').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await sync.connect({ pairingToken: document.getElementById('token').value });
    document.getElementById('token').value = '';
  } catch (err) {
    // A refusal by the relay was shown already (onError); anything else is said here.
    if (!err.code) notice(err.message.startsWith('not paired') ? words.NOT_PAIRED : err.message, 'error', 'connection');
  }
});
document.getElementById('unpair').addEventListener('click', () => sync.unpair());

for (const button of document.querySelectorAll('[data-edit]')) {
  button.addEventListener('click', async () => {
    const field = document.getElementById(button.dataset.edit);
    if (!sync.isPaired) return notice(words.NOT_PAIRED, 'error', 'connection');
    if (!sync.isConnected()) return notice('Not connected to the relay yet (the page reconnects by itself). Try again in a moment.', 'error', 'connection');
    try {
      await sync.editCodeSnippet(field.id, field.value, button.dataset.type);
      clear(`ended:${field.id}`);
      showOpen(field.id, true);
    } catch (err) {
      notice(err.code ? say(err) : err.message, 'error', 'connection');
    }
  });
}

if (sync.isPaired) sync.connect().catch((err) => { if (!err.code) notice(err.message, 'error', 'connection'); });
