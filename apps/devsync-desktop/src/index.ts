export { DesktopAgent, type Conflict, type DesktopAgentOptions, type EditSession } from './agent.js';
export { EditDirectory, extensionFor, extensions, isOwnFile, safeFileName } from './editFiles.js';
export { openInEditor, relayUrl, resolveEditor, splitCommand } from './editor.js';
