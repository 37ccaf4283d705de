// The VS Code adapter's window: started by extension.ts once activate() has returned. It reads the
// configuration, shows what the core knows (status bar, tree, dashboard, notifications) and
// implements the commands.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebviewChannel, Windows, coordinateWindows, createChannelLogger } from '@baton/vscode';
import * as vscode from 'vscode';
import {
  HealthWatch,
  formatCoordinationStatus,
  groupName,
  dashboardHtml,
  formatDuration,
  formatIssue,
  parseEndpoints,
  parseFromDashboard,
  parseWorkspaceFile,
  summarize,
  type ConfigIssue,
  type ConfigSource,
  type EndpointStatus,
  type FromDashboard,
  type ToDashboard,
} from './core/index.js';

const workspaceFileName = '.healthwatch.json';
/** The scheme of the read-only coordination status document. */
const statusScheme = 'healthwatch-status';
/** globalState keys an earlier version kept per window; moved to the shared storage on first run. */
const legacyKeys = ['mutedEndpoints'];


export interface WindowHandle {
  readonly commands: Readonly<Record<string, (...args: unknown[]) => unknown>>;
  /** Leaves the group (resigning, so another window probes at once). */
  close(): Promise<void>;
}

/** Joins the windows' group and shows its state in this window. `activatedAt`: when activate() began (performance.now()). */
export async function startWindow(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel, activatedAt: number): Promise<WindowHandle> {
  const logger = createChannelLogger(channel);
  // The directory Health Watch used before @baton/vscode, so that an update keeps the results, the mutes, the term.
  const windows = await coordinateWindows(context, { name: groupName, directory: 'coordination', log: logger });
  if (!(windows instanceof Windows)) {
    windows.dispose();
    throw new Error(`this window cannot coordinate with the others (${windows.describeLeader()})`);
  }
  /** The "is down" notifications shown, by incident: each closes when its incident ends. */
  const openIncidents = new Map<string, () => void>();
  context.subscriptions.push({ dispose: () => [...openIncidents.values()].forEach((close) => close()) });
  const health = await HealthWatch.start({
    windows,
    logger,
    host: {
      notify: (notice) => {
        if (notice.kind === 'config') {
          void vscode.window.showWarningMessage(`Health Watch: ${notice.message}`, 'Open Logs').then((choice) => choice && channel.show());
        } else if (notice.kind === 'down') {
          // VS Code cannot close a message it shows; a progress notification closes when its promise settles: at
          // the recovery (`resolved`), or when the user dismisses it.
          void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Health Watch: ${notice.message}`, cancellable: true }, (_progress, cancelled) =>
            new Promise<void>((resolve) => {
              openIncidents.set(notice.incident, resolve);
              cancelled.onCancellationRequested(() => resolve());
            }).finally(() => openIncidents.delete(notice.incident)),
          );
        } else {
          void vscode.window.showInformationMessage(`Health Watch: ${notice.message}`, 'Show Dashboard', 'Mute').then((choice) => {
            if (choice === 'Show Dashboard') void vscode.commands.executeCommand('healthWatch.showDashboard');
            if (choice === 'Mute') void setMuted(notice.endpoint, true);
          });
        }
      },
      resolved: (incident) => openIncidents.get(incident)?.(),
    },
  });
  /** For the clicks nothing awaits (a notification's button, the dashboard): a failure is shown, not left unhandled. */
  const setMuted = (id: string, muted: boolean) =>
    health.setMuted(id, muted).catch((err: unknown) => {
      logger.error({ err, endpoint: id }, `could not ${muted ? 'mute' : 'unmute'} an endpoint`);
      void vscode.window.showErrorMessage(`Health Watch: could not ${muted ? 'mute' : 'unmute'} ${id}: ${(err as Error).message}`);
    });
  await health.shared.migrateFrom({ keys: () => context.globalState.keys(), get: (key) => context.globalState.get(key) }, legacyKeys).catch((err: unknown) => logger.warn({ err }, 'could not migrate globalState'));

  // ---- configuration ----
  let reported = '';
  const applyConfiguration = async () => {
    const sources: ConfigSource[] = [{ source: 'settings', path: 'healthWatch.endpoints', endpoints: vscode.workspace.getConfiguration('healthWatch').get('endpoints') }];
    const fileIssues: ConfigIssue[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const file = join(folder.uri.fsPath, workspaceFileName);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const parsed = parseWorkspaceFile(file, text);
      if ('message' in parsed) fileIssues.push(parsed);
      else sources.push(parsed);
    }
    const { endpoints, issues } = parseEndpoints(sources);
    const all = [...fileIssues, ...issues];
    const problems = all.map(formatIssue);
    // The leader's window shows the problems of every window, once (HealthWatch.setEndpoints); each window logs its own.
    await health.setEndpoints(endpoints, problems);
    logger.info({ endpoints: endpoints.length, problems: all.length }, 'configuration applied');
    const text = problems.join('\n');
    if (text !== reported) {
      reported = text;
      for (const problem of problems) logger.warn({}, `configuration: ${problem}`);
    }
  };
  let debounce: ReturnType<typeof setTimeout> | undefined;
  const reconfigure = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => void applyConfiguration().catch((err: unknown) => logger.error({ err }, 'could not apply the configuration')), 300);
  };
  context.subscriptions.push({ dispose: () => clearTimeout(debounce) });
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('healthWatch') && reconfigure()));
  context.subscriptions.push(vscode.workspace.onDidChangeWorkspaceFolders(reconfigure));
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, workspaceFileName));
    watcher.onDidChange(reconfigure);
    watcher.onDidCreate(reconfigure);
    watcher.onDidDelete(reconfigure);
    context.subscriptions.push(watcher);
  }

  // ---- status bar ----
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.command = 'healthWatch.showDashboard';
  context.subscriptions.push(status);
  const updateStatus = () => {
    const counts = summarize(health.results);
    const role = health.group.role === 'leader' ? 'probing here' : 'follower';
    status.text = `$(pulse) ${counts.up} up${counts.down ? `, ${counts.down} down` : ''}`;
    status.tooltip = `Health Watch: ${counts.up} up, ${counts.down} down, ${counts.unknown} not yet probed. Probing: ${windows.describeLeader()}${proberUnfocused()}`;
    // Screen readers (and the end-to-end test) read the whole state, the role included.
    status.accessibilityInformation = { label: `Health Watch: ${counts.up} up, ${counts.down} down; ${role === 'follower' ? 'another window probes' : 'this window probes'}` };
    status.backgroundColor = counts.down > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    status.show();
  };
  updateStatus();

  // ---- tree ----
  const tree = new EndpointTree(health);
  context.subscriptions.push(vscode.window.createTreeView('healthWatch.endpoints', { treeDataProvider: tree }), tree);

  // ---- dashboard ----
  let panel: vscode.WebviewPanel | undefined;
  let bridge: WebviewChannel<ToDashboard, FromDashboard> | undefined;
  const showDashboard = () => {
    if (panel) {
      panel.reveal();
      return;
    }
    panel = vscode.window.createWebviewPanel('healthWatch.dashboard', 'Health Watch', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
    const nonce = randomBytes(16).toString('base64');
    bridge = new WebviewChannel<ToDashboard, FromDashboard>(panel.webview, {
      parse: parseFromDashboard,
      snapshot: () => ({ type: 'snapshot', results: health.results, muted: health.muted, role: health.group.role }),
      logger,
    });
    bridge.onDidReceive((message) => {
      if (message.type === 'runNow') void vscode.commands.executeCommand('healthWatch.runNow');
      else void setMuted(message.id, message.muted);
    });
    panel.webview.html = dashboardHtml(nonce, panel.webview.cspSource);
    panel.onDidDispose(() => {
      bridge?.dispose();
      bridge = undefined;
      panel = undefined;
    });
  };

  context.subscriptions.push(
    health.onDidChangeResults((results) => {
      updateStatus();
      tree.refresh();
      bridge?.post({ type: 'results', results });
    }),
    health.onDidChangeMuted((muted) => {
      tree.refresh();
      bridge?.post({ type: 'muted', muted });
    }),
    health.onDidChangeCoordination(() => {
      updateStatus();
      bridge?.post({ type: 'role', role: health.group.role });
    }),
  );

  /** A note when the probing window is another one without the focus (a window left open elsewhere, or a browser gone). */
  function proberUnfocused(): string {
    const leader = windows.leader;
    return leader && !leader.isSelf && leader.focused === false ? ' (that window does not have the focus: it may be in the background, or a browser tab whose connection dropped)' : '';
  }

  // ---- coordination status: a virtual document, refreshed as the windows change ----
  const statusUri = vscode.Uri.from({ scheme: statusScheme, path: '/Health Watch coordination.md' });
  const statusChanged = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(
    statusChanged,
    vscode.workspace.registerTextDocumentContentProvider(statusScheme, {
      onDidChange: statusChanged.event,
      provideTextDocumentContent: async () => formatCoordinationStatus(await health.coordinationStatus()),
    }),
    health.onDidChangeCoordination(() => statusChanged.fire(statusUri)),
  );

  // ---- commands ----
  const pickEndpoint = async (muted: boolean): Promise<string | undefined> => {
    const items = Object.values(health.results.endpoints)
      .filter((s) => health.muted.includes(s.id) === muted)
      .map((s) => ({ label: s.name, description: s.target, id: s.id }));
    if (items.length === 0) {
      void vscode.window.showInformationMessage(muted ? 'Health Watch: no endpoint is muted.' : 'Health Watch: every endpoint is muted already.');
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { placeHolder: muted ? 'Unmute which endpoint?' : 'Mute which endpoint?' }))?.id;
  };
  const idOf = (arg: unknown): string | undefined => (arg instanceof EndpointItem ? arg.status.id : typeof arg === 'string' ? arg : undefined);
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'healthWatch.runNow': async () => {
      try {
        const ran = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Health Watch: probing' }, () => health.runNow());
        void vscode.window.setStatusBarMessage(`Health Watch: ${ran.probed} probed, ${ran.up} up, ${ran.down} down`, 5000);
      } catch (err) {
        void vscode.window.showErrorMessage(`Health Watch: Run Probes Now failed: ${(err as Error).message}`);
      }
    },
    'healthWatch.showDashboard': showDashboard,
    'healthWatch.showCoordinationStatus': async () => {
      // A read-only virtual document: nothing to save on close, and a restored one asks for fresh content.
      const doc = await vscode.workspace.openTextDocument(statusUri);
      await vscode.window.showTextDocument(doc, { preview: true });
      await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    },
    'healthWatch.mute': async (arg?: unknown) => {
      const id = idOf(arg) ?? (await pickEndpoint(false));
      if (id) await health.setMuted(id, true);
    },
    'healthWatch.unmute': async (arg?: unknown) => {
      const id = idOf(arg) ?? (await pickEndpoint(true));
      if (id) await health.setMuted(id, false);
    },
    'healthWatch.openLogs': () => channel.show(),
  };

  // The end-to-end tests' hooks: only in the build made for them (scripts/bundle.mjs --e2e). esbuild replaces the
  // variable with a constant, so the release build has neither this branch nor the hooks' code.
  if (process.env.BATON_HEALTHWATCH_E2E_BUILD === '1') {
    const { startE2eHooks } = await import('./e2eHooks.js');
    const hooks = startE2eHooks(context, health);
    if (hooks) context.subscriptions.push(hooks);
  }

  await applyConfiguration();
  logger.info({ ms: Math.round((performance.now() - activatedAt) * 10) / 10, role: health.group.role }, 'ready: joined the windows and applied the configuration');
  return {
    commands,
    close: async () => {
      logger.info({ role: health.group.role }, 'deactivating: leaving the group');
      await health.close(2000);
    },
  };
}

class EndpointItem extends vscode.TreeItem {
  constructor(
    readonly status: EndpointStatus,
    muted: boolean,
  ) {
    super(status.name, status.history.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const latency = status.latencyMs === undefined ? '' : ` ${Math.round(status.latencyMs)} ms`;
    this.description = `${status.state}${latency}${muted ? ' (muted)' : ''}${status.breaker.state === 'closed' ? '' : `, breaker ${status.breaker.state}`}`;
    this.iconPath = new vscode.ThemeIcon(status.state === 'up' ? 'pass' : status.state === 'down' ? 'error' : 'circle-outline');
    const last = status.lastCheck === undefined ? 'never' : `${new Date(status.lastCheck).toLocaleTimeString()} (${formatDuration(Date.now() - status.lastCheck)} ago)`;
    this.tooltip = `${status.target}\n${status.detail ?? ''}\nlast check: ${last}\nuptime: ${status.checks ? ((100 * status.ups) / status.checks).toFixed(1) : '-'}% of ${status.checks} probes`;
    this.contextValue = muted ? 'endpoint-muted' : 'endpoint';
  }
}

class EndpointTree implements vscode.TreeDataProvider<vscode.TreeItem>, vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChange.event;

  constructor(private readonly _health: HealthWatch) {}

  refresh(): void {
    this._onDidChange.fire();
  }

  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(item?: vscode.TreeItem): vscode.TreeItem[] {
    if (!item) {
      const muted = this._health.muted;
      return Object.values(this._health.results.endpoints)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((s) => new EndpointItem(s, muted.includes(s.id)));
    }
    if (item instanceof EndpointItem) {
      return [...item.status.history].reverse().slice(0, 10).map((h) => {
        const point = new vscode.TreeItem(new Date(h.at).toLocaleTimeString());
        point.description = `${h.ok ? 'up' : 'down'} ${Math.round(h.latencyMs)} ms`;
        point.iconPath = new vscode.ThemeIcon(h.ok ? 'pass' : 'error');
        return point;
      });
    }
    return [];
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}
