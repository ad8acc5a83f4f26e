// The form responses of one dossier, each field's value by its type.
import type { Field, FormValue } from '../../src/lib/contract/spico.ts';
import { addDays, parisWallTime } from '../paris.ts';
import { dayBetween, id, instant, type DossierScope } from './dossier-kit.ts';
import type { Rng } from './rng.ts';
import { AUTEURS, TEXT_VALUES } from './vocabulary.ts';

export function emitResponses(
	scope: DossierScope,
	forms: readonly { id: string; fields: readonly Field[] }[]
): void {
	const { sink, rng, dossierId, first, last, counters } = scope;
	const responses = rng.int(0, 6);
	for (let i = 0; i < responses; i++) {
		const form = rng.pick(forms);
		const day = dayBetween(rng, first, last);
		const values: Record<string, FormValue> = {};
		for (const field of form.fields)
			values[field.id] = rng.chance(0.12) ? null : fieldValue(rng, field, day);
		sink.response({
			id: id('REP', ++counters.rep, 7),
			dossierId,
			formId: form.id,
			date: instant(rng, day, rng.int(8, 19), rng.int(0, 59)),
			auteur: rng.orNull(0.05, rng.pick(AUTEURS)),
			values
		});
	}
}

function fieldValue(rng: Rng, field: Field, day: string): FormValue {
	switch (field.type) {
		case 'text':
			return rng.pick(TEXT_VALUES);
		case 'number':
			return rng.chance(0.3) ? Math.round(rng.float() * 1000) / 10 : rng.int(0, 120);
		case 'date':
			return addDays(day, -rng.int(0, 120));
		case 'datetime':
			return parisWallTime(day, rng.int(8, 18), rng.int(0, 59));
		case 'boolean':
			return rng.chance(0.5);
		case 'choice':
			return rng.pick(field.options ?? []).value;
		case 'multichoice': {
			const options = field.options ?? [];
			return options.filter(() => rng.chance(0.35)).map((o) => o.value);
		}
	}
}
