// An interactive program in a real terminal (a detached tmux session), for driving screens that only
// exist interactively, such as Claude Code's `/login`: read what the screen shows, wait for text,
// press keys.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class TmuxTerminal {
  private constructor(readonly session: string) {}

  static async start(options: {
    command: string[];
    cwd: string;
    env: Record<string, string>;
    width?: number;
    height?: number;
  }): Promise<TmuxTerminal> {
    const session = `llmr-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const env = Object.entries(options.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    await run('tmux', [
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      String(options.width ?? 160),
      '-y',
      String(options.height ?? 50),
      '-c',
      options.cwd,
      ...env,
      ...options.command,
    ]);
    return new TmuxTerminal(session);
  }

  async screen(): Promise<string> {
    const { stdout } = await run('tmux', ['capture-pane', '-p', '-t', this.session]);
    return stdout;
  }

  /** Waits until the screen shows one of the texts; returns which, with the screen. */
  async waitFor(
    texts: (string | RegExp)[],
    timeoutMs: number,
  ): Promise<{ found: string | RegExp; screen: string }> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.screen();
      const found = texts.find((t) => (typeof t === 'string' ? screen.includes(t) : t.test(screen)));
      if (found !== undefined) return { found, screen };
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the terminal never showed ${texts.join(' or ')}; it shows:\n${screen}`);
  }

  /** tmux key names: `Enter`, `Up`, `Down`, `C-c`, or literal text. */
  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) {
      await run('tmux', ['send-keys', '-t', this.session, key]);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  async close(): Promise<void> {
    await run('tmux', ['kill-session', '-t', this.session]).catch(() => {});
  }
}
