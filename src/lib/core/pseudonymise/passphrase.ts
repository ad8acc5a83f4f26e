/** The blocking checks of the passphrase fields (SPEC §13), in page order. */
import { MIN_PASSPHRASE_LENGTH, passphraseLength } from './key';

export interface PassphraseError {
	field: 'passphrase' | 'passphraseConfirm';
	message: string;
}

export function validatePassphrase(passphrase: string, confirmation: string): PassphraseError[] {
	if (passphrase === '') {
		return [{ field: 'passphrase', message: 'Veuillez saisir une phrase secrète.' }];
	}
	if (passphraseLength(passphrase) < MIN_PASSPHRASE_LENGTH) {
		return [
			{
				field: 'passphrase',
				message: `La phrase secrète doit contenir au moins ${MIN_PASSPHRASE_LENGTH} caractères (${passphraseLength(passphrase)} saisis).`
			}
		];
	}
	if (confirmation === '') {
		return [{ field: 'passphraseConfirm', message: 'Veuillez confirmer la phrase secrète.' }];
	}
	if (confirmation.normalize('NFC') !== passphrase.normalize('NFC')) {
		return [
			{
				field: 'passphraseConfirm',
				message: 'Les deux phrases secrètes sont différentes : saisissez la même deux fois.'
			}
		];
	}
	return [];
}
