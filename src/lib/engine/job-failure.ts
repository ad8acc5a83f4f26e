/**
 * The failure of one file (or of the archive, `jobId` null), with its cause apart: the panel
 * marks the file and explains the cause (failure-text.ts). Comlink brings a worker's error back
 * with its name and message only, so those are what is kept.
 */
export class JobFailure extends Error {
	override readonly name = 'JobFailure';
	constructor(
		message: string,
		readonly jobId: string | null,
		readonly causeName: string,
		readonly causeMessage: string
	) {
		super(message);
	}
}
