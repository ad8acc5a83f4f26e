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

/** « 12,3 Mo », « 0,4 Mo », and « < 0,1 Mo » rather than « 0 Mo » for a small file. */
export function megabytes(bytes: number): string {
	const mb = bytes / 1_048_576;
	if (mb < 0.1) return '< 0,1 Mo';
	return `${oneDecimal.format(mb)} Mo`;
}

export function formatCount(n: number): string {
	return count.format(n);
}
