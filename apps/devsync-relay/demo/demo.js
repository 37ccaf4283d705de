// The demo page's script (a file of its own: the page's Content-Security-Policy allows no inline script).
import { WebDevSync } from './webdevsync.js';

const sync = new WebDevSync();
window.webDevSync = sync;
const statusEl = document.getElementById('status');
// The command names this relay as the agent takes it: host:port, or the https:// address behind a TLS proxy.
document.getElementById('agent-command').textContent = `devsync-desktop --relay ${location.protocol === 'https:' ? `https://${location.host}` : location.host}`;
const messages = document.getElementById('messages');

function notice(text, kind = '') {
  const div = document.createElement('div');
  div.className = `notice ${kind}`;
  div.textContent = text;
  messages.prepend(div);
  while (messages.children.length > 5) messages.lastElementChild.remove();
}

sync.statusChange((status) => {
  statusEl.textContent = status;
  statusEl.dataset.status = status;
});
sync.onError((error) => notice(`${error.code}: ${error.message}`, 'error'));
sync.onConflict((conflict) => {
  notice(`Conflict in ${conflict.fieldId}: the page and the editor both changed version ${conflict.version - 1}.\n` +
    `The page kept its text; the editor's is still in its file (save it again to use it here).`);
});
sync.onSessionEnd((end) => { if (end.reason !== 'closed') notice(`Editing of ${end.fieldId} ended: ${end.reason}`); });

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
    notice(String(err.message), 'error');
  }
});
document.getElementById('unpair').addEventListener('click', () => sync.unpair());

for (const button of document.querySelectorAll('[data-edit]')) {
  button.addEventListener('click', async () => {
    const field = document.getElementById(button.dataset.edit);
    try {
      await sync.editCodeSnippet(field.id, field.value, button.dataset.type);
    } catch (err) {
      notice(String(err.message), 'error');
    }
  });
}

if (sync.isPaired) sync.connect().catch((err) => notice(String(err.message), 'error'));
