/** One line per check (`ok <check>`, `FAIL <check>: <why>`, `skip <check>: <why>`), then the count. */
import { BudgetExceeded, TransportError } from './http.ts';

/** A check's verdict: the rule is broken, for this reason (never patient data in it). */
export class Fail extends Error {
	override readonly name = 'Fail';
}

export class Report {
	passed = 0;
	failed = 0;
	readonly lines: string[] = [];

	constructor(private readonly print: (line: string) => void) {}

	#line(line: string): void {
		this.lines.push(line);
		this.print(line);
	}

	ok(check: string, note?: string): void {
		this.passed++;
		this.#line(note ? `ok ${check} (${note})` : `ok ${check}`);
	}

	fail(check: string, why: string): void {
		this.failed++;
		this.#line(`FAIL ${check}: ${oneLine(why)}`);
	}

	skip(check: string, why: string): void {
		this.#line(`skip ${check}: ${why}`);
	}

	/** Runs one check: a returned string is a note; a thrown Fail (or a transport fault) fails it. */
	async check(check: string, run: () => Promise<string | void> | string | void): Promise<boolean> {
		try {
			const note = await run();
			this.ok(check, note || undefined);
			return true;
		} catch (error) {
			this.fail(check, whyOf(error));
			return false;
		}
	}

	summary(): string {
		const line = `${this.passed} passed, ${this.failed} failed`;
		this.#line(line);
		return line;
	}
}

export function whyOf(error: unknown): string {
	if (error instanceof Fail || error instanceof BudgetExceeded || error instanceof TransportError) {
		return error.message;
	}
	// The kit's own bug: say so, without a stack full of paths.
	return `erreur du kit : ${(error as Error)?.message ?? String(error)}`;
}

function oneLine(s: string): string {
	const flat = s.replace(/\s+/g, ' ').trim();
	return flat.length > 300 ? `${flat.slice(0, 297)}…` : flat;
}
