/**
 * The Zuora node's dropdown and searchable-list loaders (what n8n calls `methods`); Billing Plan
 * Mapping reads its rate plans from here too.
 */
import { searchAccounts, searchSubscriptions } from './list-search';
import { getProductRatePlans } from './resources/productRatePlan/list';

export const loadOptions = { getProductRatePlans };

export { getProductRatePlans };

export const listSearch = { searchAccounts, searchSubscriptions };
