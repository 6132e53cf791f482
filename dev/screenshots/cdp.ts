// A headless Chromium driven over the Chrome DevTools Protocol, with no dependency: the
// WebSocket client is Node's own (global in Node ≥ 22; Node 20 needs --experimental-websocket,
// which `npm run screenshots` passes).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Json = Record<string, unknown>;

interface Pending {
	resolve: (value: Json) => void;
	reject: (error: Error) => void;
	method: string;
}

/** Flags for a quiet, offline, throw-away headless browser. */
export const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--no-default-browser-check',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-extensions',
	'--disable-dev-shm-usage',
	'--hide-scrollbars',
	'--mute-audio',
	'--font-render-hinting=none',
];

export function findChromium(): string {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
	const found = candidates.find((c): c is string => Boolean(c && existsSync(c)));
	if (!found) throw new Error('no Chromium found: install the Debian package "chromium" or set CHROMIUM_PATH');
	return found;
}

export class CdpClient {
	private nextId = 1;
	private readonly pending = new Map<number, Pending>();
	private readonly listeners = new Set<(method: string, params: Json, sessionId?: string) => void>();

	private constructor(private readonly socket: WebSocket) {
		socket.addEventListener('message', (event: MessageEvent) => {
			const message = JSON.parse(String(event.data)) as { id?: number; method?: string; params?: Json; result?: Json; error?: { message: string }; sessionId?: string };
			if (message.id !== undefined) {
				const waiting = this.pending.get(message.id);
				if (!waiting) return;
				this.pending.delete(message.id);
				if (message.error) waiting.reject(new Error(`${waiting.method}: ${message.error.message}`));
				else waiting.resolve(message.result ?? {});
			} else if (message.method) {
				for (const listener of this.listeners) listener(message.method, message.params ?? {}, message.sessionId);
			}
		});
		socket.addEventListener('close', () => {
			for (const waiting of this.pending.values()) waiting.reject(new Error(`${waiting.method}: DevTools connection closed`));
			this.pending.clear();
		});
	}

	static async connect(url: string): Promise<CdpClient> {
		if (typeof WebSocket === 'undefined') {
			throw new Error('this Node has no WebSocket client: use Node ≥ 22 or run node with --experimental-websocket');
		}
		const socket = new WebSocket(url);
		await new Promise<void>((resolve, reject) => {
			socket.addEventListener('open', () => resolve(), { once: true });
			socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
		});
		return new CdpClient(socket);
	}

	send<T = Json>(method: string, params: Json = {}, sessionId?: string, timeoutMs = 60_000): Promise<T> {
		const id = this.nextId++;
		return new Promise<T>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
			}, timeoutMs);
			this.pending.set(id, {
				method,
				resolve: (value) => {
					clearTimeout(timer);
					resolve(value as T);
				},
				reject: (error) => {
					clearTimeout(timer);
					reject(error);
				},
			});
			this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
		});
	}

	/** Resolves with the params of the next event `method` (of this session) that passes `match`. */
	waitForEvent(method: string, sessionId: string | undefined, match: (params: Json) => boolean = () => true, timeoutMs = 30_000): Promise<Json> {
		return new Promise((resolve, reject) => {
			const listener = (m: string, params: Json, sid?: string) => {
				if (m === method && sid === sessionId && match(params)) {
					this.listeners.delete(listener);
					clearTimeout(timer);
					resolve(params);
				}
			};
			const timer = setTimeout(() => {
				this.listeners.delete(listener);
				reject(new Error(`no ${method} event within ${timeoutMs} ms`));
			}, timeoutMs);
			this.listeners.add(listener);
		});
	}

	close(): void {
		this.socket.close();
	}
}

/** One page (tab) of the browser, with the few things the screenshots need. */
export class Page {
	constructor(
		private readonly cdp: CdpClient,
		readonly sessionId: string,
	) {}

	send<T = Json>(method: string, params: Json = {}, timeoutMs?: number): Promise<T> {
		return this.cdp.send<T>(method, params, this.sessionId, timeoutMs);
	}

	async goto(url: string, timeoutMs = 60_000): Promise<void> {
		const loaded = this.cdp.waitForEvent('Page.loadEventFired', this.sessionId, () => true, timeoutMs);
		const result = await this.send<{ errorText?: string }>('Page.navigate', { url });
		if (result.errorText) throw new Error(`navigating to ${url}: ${result.errorText}`);
		await loaded;
	}

	/** Evaluates an expression in the page (awaiting a returned promise) and returns its value. */
	async evaluate<T = unknown>(expression: string): Promise<T> {
		const result = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
			expression,
			awaitPromise: true,
			returnByValue: true,
		});
		if (result.exceptionDetails) {
			throw new Error(`in the page: ${result.exceptionDetails.exception?.description ?? result.exceptionDetails.text}`);
		}
		return result.result.value as T;
	}

	/** Polls `expression` until it is truthy; returns its value. */
	async waitFor<T = unknown>(what: string, expression: string, timeoutMs = 60_000): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		let last: unknown;
		for (;;) {
			try {
				last = await this.evaluate<T>(expression);
				if (last) return last as T;
			} catch (error) {
				last = (error as Error).message;
			}
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	async resize(width: number, height: number): Promise<void> {
		await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
	}

	async type(text: string): Promise<void> {
		await this.send('Input.insertText', { text });
	}

	async press(key: string, code = key, keyCode = 0): Promise<void> {
		const base = { key, code, windowsVirtualKeyCode: keyCode, nativeVirtualKeyCode: keyCode };
		await this.send('Input.dispatchKeyEvent', { type: 'keyDown', ...base, ...(key.length === 1 ? { text: key } : {}) });
		await this.send('Input.dispatchKeyEvent', { type: 'keyUp', ...base });
	}

	async click(x: number, y: number): Promise<void> {
		for (const type of ['mousePressed', 'mouseReleased']) {
			await this.send('Input.dispatchMouseEvent', { type, x, y, button: 'left', clickCount: 1 });
		}
	}

	async screenshot(): Promise<Buffer> {
		const { data } = await this.send<{ data: string }>('Page.captureScreenshot', { format: 'png', captureBeyondViewport: false });
		return Buffer.from(data, 'base64');
	}
}

export interface Browser {
	newPage(width: number, height: number): Promise<Page>;
	close(): Promise<void>;
}

/** Starts a headless Chromium with a fresh profile; close() ends it and removes the profile. */
export async function launchChromium(options: { executable?: string; log?: (line: string) => void } = {}): Promise<Browser> {
	const executable = options.executable ?? findChromium();
	const profile = mkdtempSync(path.join(os.tmpdir(), 'kommo-billing-chromium-'));
	const child: ChildProcess = spawn(executable, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
		stdio: ['ignore', 'ignore', 'pipe'],
		detached: true,
	});
	let stderr = '';
	const wsUrl = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`Chromium did not open DevTools within 30 s:\n${stderr.slice(-2000)}`)), 30_000);
		child.stderr!.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
			const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]);
			}
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`Chromium exited (${code}) before opening DevTools:\n${stderr.slice(-2000)}`));
		});
	});
	const cdp = await CdpClient.connect(wsUrl);
	let closed = false;
	const kill = (signal: NodeJS.Signals) => {
		try {
			process.kill(-child.pid!, signal);
		} catch {
			// gone
		}
	};
	const onExit = () => kill('SIGKILL');
	process.once('exit', onExit);
	return {
		async newPage(width: number, height: number): Promise<Page> {
			const { targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
			const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
			const page = new Page(cdp, sessionId);
			await page.send('Page.enable');
			await page.send('Runtime.enable');
			await page.resize(width, height);
			return page;
		},
		async close(): Promise<void> {
			if (closed) return;
			closed = true;
			try {
				await cdp.send('Browser.close', {}, undefined, 5_000);
			} catch {
				// fall through to the kill
			}
			cdp.close();
			const deadline = Date.now() + 5_000;
			while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
			kill('SIGKILL');
			process.removeListener('exit', onExit);
			rmSync(profile, { recursive: true, force: true });
		},
	};
}
