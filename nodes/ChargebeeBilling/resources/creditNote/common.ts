import type { IDataObject } from 'n8n-workflow';

import { moneyOf } from '../../helpers';

/** A credit note with its total and the part still available as money blocks. */
export function creditNoteOutput(creditNote: IDataObject): IDataObject {
	return {
		...creditNote,
		money: moneyOf(creditNote.total, creditNote.currency_code) as unknown as IDataObject,
		available: moneyOf(creditNote.amount_available, creditNote.currency_code) as unknown as IDataObject,
	};
}
