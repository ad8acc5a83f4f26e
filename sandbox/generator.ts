/**
 * Deterministic synthetic data for the sandbox (SPEC §9). Same (scale, seed) → same rows, in the
 * same order, on any machine: one seeded PRNG per dossier, no Math.random, no clock.
 * Rows go to a DatasetSink (the SQLite loader, a digest, a hand-written fixture's loader…).
 */
import type {
	Appointment,
	CareCircleMember,
	Dossier,
	FormResponse,
	Hospitalisation,
	Thematic
} from '../src/lib/contract/spico.ts';
import { buildCatalogue } from './data/catalogue.ts';
import type { Counters } from './data/dossier-kit.ts';
import { emitDossier } from './data/dossier.ts';
import { SANDBOX_ACCOUNTS, SANDBOX_STRUCTURES } from './data/structures.ts';

/** Bump whenever the generated data changes: cached databases of older versions are rebuilt. */
export const GENERATOR_VERSION = 1;

export const SCALES = ['small', 'medium', 'large'] as const;
export type Scale = (typeof SCALES)[number];
export const DEFAULT_SEED = 42;

interface ScaleSpec {
	dossiers: number;
	fieldsPerForm: number;
}
const SCALE_SPECS: Readonly<Record<Scale, ScaleSpec>> = {
	small: { dossiers: 400, fieldsPerForm: 14 },
	medium: { dossiers: 5_000, fieldsPerForm: 40 },
	large: { dossiers: 50_000, fieldsPerForm: 40 }
};

// --- What the generator emits --------------------------------------------------------------------

export interface SandboxStructure {
	id: string;
	name: string;
}

export interface SandboxAccount {
	token: string;
	userId: string;
	userName: string;
	/** null for a personal account. */
	structureId: string | null;
}

/** Items as the API serves them, minus the patient (joined from the dossier when served). */
export type AppointmentRow = Omit<Appointment, 'patient'>;
export type HospitalisationRow = Omit<Hospitalisation, 'patient'>;
/** `structureId` is set when the member is one of the sandbox's structures (file active). */
export type CareCircleRow = Omit<CareCircleMember, 'patient'> & { structureId: string | null };
export type ResponseRow = Omit<FormResponse, 'patient'>;

export interface DatasetSink {
	structure(s: SandboxStructure): void;
	account(a: SandboxAccount): void;
	catalogue(thematics: Thematic[]): void;
	/** Parents before children: a dossier is emitted before its rows. */
	dossier(d: Dossier): void;
	appointment(a: AppointmentRow): void;
	hospitalisation(h: HospitalisationRow): void;
	careCircle(c: CareCircleRow): void;
	response(r: ResponseRow): void;
}

export {
	SANDBOX_ACCOUNTS,
	SANDBOX_STRUCTURES,
	STRUCTURE_DAC,
	STRUCTURE_TND
} from './data/structures.ts';
export { mulberry32, Rng } from './data/rng.ts';
export { buildCatalogue } from './data/catalogue.ts';
export { EDGE } from './data/dossier-kit.ts';

export interface GenerateOptions {
	scale: Scale;
	seed: number;
	/** Called now and then with the share done, 0..1. */
	onProgress?: (done: number) => void;
}

export interface GenerateSummary {
	dossiers: number;
	appointments: number;
	hospitalisations: number;
	careCircle: number;
	responses: number;
}

/** Emits the whole dataset of (scale, seed) into the sink, parents first. */
export function generate(sink: DatasetSink, options: GenerateOptions): GenerateSummary {
	const spec = SCALE_SPECS[options.scale];
	for (const s of SANDBOX_STRUCTURES) sink.structure(s);
	for (const a of SANDBOX_ACCOUNTS) sink.account(a);
	const catalogue = buildCatalogue(spec.fieldsPerForm);
	sink.catalogue(catalogue);
	const forms = catalogue.flatMap((t) => t.forms);
	const counters: Counters = { rdv: 0, hos: 0, cds: 0, rep: 0 };
	const step = Math.max(1, Math.floor(spec.dossiers / 20));
	for (let i = 0; i < spec.dossiers; i++) {
		emitDossier(sink, options.seed, i, forms, counters);
		if (options.onProgress && (i + 1) % step === 0) options.onProgress((i + 1) / spec.dossiers);
	}
	return {
		dossiers: spec.dossiers,
		appointments: counters.rdv,
		hospitalisations: counters.hos,
		careCircle: counters.cds,
		responses: counters.rep
	};
}
