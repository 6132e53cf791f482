/**
 * The Paddle node's dropdown and searchable-list loaders (what n8n calls `methods`); Billing Plan
 * Mapping reads its prices from here too.
 */
import { getEventTypes } from './resources/event/getAll';
import { listSearch } from './resources/locators';
import { getPrices } from './resources/price/list';

export const loadOptions = { getEventTypes, getPrices };

export { getPrices, listSearch };
