// Writing is a chain of microtasks; this lets the thread's queued tasks (the next page's request,
// its token, its response) run between flushes.

/** Flushes (of ~128K characters, a few ms of work each) between two yields to queued tasks. */
const YIELD_EVERY_FLUSHES = 4;
let flushes = 0;

let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

/** A new task, behind those already queued (scheduler.yield would run first: not wanted here). */
function nextTask(): Promise<void> {
	// Node (tests, benches) has setImmediate; a MessageChannel's port would keep it alive.
	const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown })
		.setImmediate;
	if (immediate) return new Promise((r) => immediate(r));
	if (!channel) {
		channel = new MessageChannel();
		channel.port1.onmessage = () => waiting.shift()?.();
	}
	const port = channel.port2;
	return new Promise((r) => {
		waiting.push(r);
		port.postMessage(null);
	});
}

/**
 * Lets the thread's queued tasks run. Writing is a chain of microtasks (the native deflate
 * resolves in microtasks): without this, the next page's request, its token and its response
 * would wait for the whole current page to be written.
 */
export function yieldToTasks(): Promise<void> | void {
	if (++flushes % YIELD_EVERY_FLUSHES !== 0) return;
	return nextTask();
}
