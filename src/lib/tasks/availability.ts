/** Whether a task's file can be downloaded now, and if not, the French reason shown beside it. */
import { MESSAGES } from './crypto';
import type { KeyringState } from './keyring';
import type { TaskRecord } from './model';

/** Whether a task's file can be downloaded, and if not, why. */
export type TaskAvailability =
	| 'running'
	| 'available'
	| 'not-kept'
	/** The API offers no storage key to this session (404): nothing decrypts. */
	| 'key-withheld'
	/** The storage key could not be fetched (network, 5xx…): a reload asks again. */
	| 'key-unavailable'
	/** Wrapped under a storage key the API has since replaced (another keyId). */
	| 'key-rotated'
	| 'none';

export interface TaskView extends TaskRecord {
	availability: TaskAvailability;
}
function keptAvailability(keyId: string, keyring: KeyringState): TaskAvailability {
	switch (keyring.kind) {
		case 'absent':
			return 'key-withheld';
		case 'unavailable':
			return 'key-unavailable';
		case 'ready':
			return keyId === keyring.keyId ? 'available' : 'key-rotated';
		case 'unknown':
			// Not asked yet: the download asks, and says why if it cannot.
			return 'available';
	}
}

/** Without a request: from the storage key as last fetched (a reload asks again). */
export function availabilityOf(task: TaskRecord, keyring: KeyringState): TaskAvailability {
	if (task.state === 'En cours') return 'running';
	switch (task.storage.kind) {
		case 'kept':
			return keptAvailability(task.storage.keyId, keyring);
		case 'not-kept':
			return 'not-kept';
		case 'none':
			return 'none';
	}
}

const AVAILABILITY_NOTES: Partial<Record<TaskAvailability, string>> = {
	'key-withheld': MESSAGES['key-withheld'],
	'key-unavailable': MESSAGES['key-unavailable'],
	'key-rotated': MESSAGES['key-rotated']
};

/** Why a task's file cannot be downloaded, in French; null when it can or has none. */
export function availabilityNote(task: TaskView): string | null {
	if (task.availability === 'not-kept' && task.storage.kind === 'not-kept') {
		return task.storage.reason;
	}
	return AVAILABILITY_NOTES[task.availability] ?? null;
}
