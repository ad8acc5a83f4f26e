/** What the API serves, read through the module's own client: what the workbooks are compared with. */
import type { SpicoClient } from '../../src/lib/api/client';
import type { ListItem, ListName, ListQuery } from '../../src/lib/contract/spico';

/** The account's structure and user (the sandbox's accounts that extract are structures). */
export async function structureOf(client: SpicoClient): Promise<{ sid: string; userId: string }> {
	const me = await client.me();
	if (me.account.type !== 'structure') throw new Error(`${me.user.id} : compte structure attendu`);
	return { sid: me.account.structureId, userId: me.user.id };
}

/** Every item of a list, page after page. */
export async function allItems<L extends ListName>(
	client: SpicoClient,
	structureId: string,
	list: L,
	query: Omit<ListQuery, 'cursor'>,
	formId?: string
): Promise<ListItem<L>[]> {
	const items: ListItem<L>[] = [];
	for await (const page of client.pages(structureId, list, query, { formId })) {
		items.push(...page.items);
	}
	return items;
}
