/**
 * Small French wordings shared by the views: counts with the right number (« 1 ligne »,
 * « 2 lignes »; French keeps 0 and 1 singular) and sizes in Mo (« < 0,1 Mo »).
 */
const count = new Intl.NumberFormat('fr-FR');
const oneDecimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** « 0 ligne », « 1 ligne », « 1 234 lignes ». */
export function plural(n: number, one: string, many = `${one}s`): string {
	return `${count.format(n)} ${Math.abs(n) < 2 ? one : many}`;
}

export const lignes = (n: number) => plural(n, 'ligne');

/**
 * « 12,3 Mo », « 0,4 Mo », and « < 0,1 Mo » rather than « 0 Mo » for a small file; the number and
 * its unit never part (no-break spaces).
 */
export function megabytes(bytes: number): string {
	const mb = bytes / 1_048_576;
	if (mb < 0.1) return '<\u00a00,1\u00a0Mo';
	return `${oneDecimal.format(mb)}\u00a0Mo`;
}

/** An estimate's size: « environ 3,5 Mo », but « < 0,1 Mo » alone (« environ < » says nothing). */
export function estimatedMegabytes(bytes: number): string {
	const exact = megabytes(bytes);
	return exact.startsWith('<') ? exact : `environ ${exact}`;
}

export function formatCount(n: number): string {
	return count.format(n);
}

/** « 1 ligne écrite », « 2 lignes écrites ». */
export function lignesEcrites(n: number): string {
	return `${lignes(n)} ${Math.abs(n) < 2 ? 'écrite' : 'écrites'}`;
}

/**
 * `Generic_extractions_brutes_…zip` in parts ending after each `_`: rendered with a `<wbr>`
 * between them, a name wraps at its separators instead of mid-word.
 */
export function nameParts(name: string): string[] {
	return name.split(/(?<=_)/);
}
