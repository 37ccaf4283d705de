// The shared preset, with `vscode` mapped to a fake of the part of the API the package uses: VS Code
// provides the real module only inside an extension host.
import preset from '@baton/jest-preset';

export default {
  ...preset,
  moduleNameMapper: { '^vscode$': '<rootDir>/test/fakes/vscode.ts', ...preset.moduleNameMapper },
};
