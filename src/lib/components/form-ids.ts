import type { FileKind } from '../core/file-kinds';
import type { RequestField } from '../core/request';

/** Element ids of one form instance, shared by the steps and the focus-on-error logic. */
export function formIds(uid: string) {
	return {
		from: `${uid}-from`,
		to: `${uid}-to`,
		dateHint: `${uid}-date-hint`,
		archived: `${uid}-archived`,
		statusesAll: `${uid}-statuses-all`,
		status: (code: string) => `${uid}-status-${code}`,
		file: (key: FileKind) => `${uid}-file-${key}`,
		statuts: `${uid}-statuts`,
		formsAll: `${uid}-forms-all`,
		pseudonymise: `${uid}-pseudonymise`,
		passphrase: `${uid}-passphrase`,
		passphraseConfirm: `${uid}-passphrase-confirm`,
		keepFreeText: `${uid}-keep-free-text`,
		error: (field: RequestField) => `${uid}-${field}-error`
	};
}

export type FormIds = ReturnType<typeof formIds>;
