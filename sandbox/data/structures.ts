// The sandbox's structures and accounts.
import type { SandboxAccount, SandboxStructure } from '../generator.ts';

export const STRUCTURE_TND: SandboxStructure = { id: 'str-tnd-test', name: 'PLATEFORME TND TEST' };
export const STRUCTURE_DAC: SandboxStructure = { id: 'str-dac-loire', name: 'DAC LOIRE TEST' };
export const SANDBOX_STRUCTURES = [STRUCTURE_TND, STRUCTURE_DAC] as const;
export const SANDBOX_ACCOUNTS: readonly SandboxAccount[] = [
	{
		token: 'sandbox-alice',
		userId: 'u-alice',
		userName: 'Alice Martin',
		structureId: STRUCTURE_TND.id
	},
	{ token: 'sandbox-bob', userId: 'u-bob', userName: 'Bob Lefèvre', structureId: STRUCTURE_DAC.id },
	{ token: 'sandbox-claire', userId: 'u-claire', userName: 'Claire Dubois', structureId: null }
];
