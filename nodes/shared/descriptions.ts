/**
 * Description pieces every action node repeats: the Resource dropdown and each resource's
 * Operation dropdown, in the one shape n8n's own nodes use (`noDataExpression`, the Operation
 * shown only for its resource). The Return All / Limit pair is in list-parameters.ts.
 */
import type { IDisplayOptions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** The node's Resource dropdown. */
export function resourceSelector(defaultResource: string, options: INodePropertyOptions[]): INodeProperties {
	return {
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options,
		default: defaultResource,
	};
}

/** The Operation dropdown of one resource. */
export function operationSelector(resource: string, defaultOperation: string, options: INodePropertyOptions[]): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: defaultOperation,
	};
}

/**
 * The Operation dropdown of a Custom API Request resource: its one operation, `request`, calls
 * an endpoint the node has no operation for through the node's own credential and transport.
 */
export function customApiRequestSelector(resource: string, name: string, description: string): INodeProperties {
	return operationSelector(resource, 'request', [{ name, value: 'request', action: 'Make a custom API request', description }]);
}

/** The Filters collection of a list operation ("Add Filter"), with the operation's filter fields. */
export function filtersCollection(options: INodeProperties[], displayOptions?: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		...(displayOptions ? { displayOptions } : {}),
		options,
	};
}

/**
 * Status: Active or Archived, the two states Chargebee item prices and Paddle's catalog entities
 * (prices, discounts, customers) share; as a filter or as the value to set.
 */
export const activeOrArchivedStatus: INodeProperties = {
	displayName: 'Status',
	name: 'status',
	type: 'options',
	options: [
		{ name: 'Active', value: 'active' },
		{ name: 'Archived', value: 'archived' },
	],
	default: 'active',
};

/**
 * Shows each property only for this resource + operation, keeping any extra conditions it has
 * (n8n's updateDisplayOptions, without its deep merge). Copies; never changes the properties given.
 */
export function forOperation(resource: string, operation: string, properties: INodeProperties[]): INodeProperties[] {
	return properties.map((p) => ({
		...p,
		displayOptions: {
			...p.displayOptions,
			show: { ...p.displayOptions?.show, resource: [resource], operation: [operation] },
		},
	}));
}

/** An Email parameter as n8n's lint wants it (the name@email.com placeholder); `extra` adds the rest. */
export function emailProperty(extra: Partial<INodeProperties> = {}): INodeProperties {
	return { displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '', ...extra };
}

/** The Options collection of an operation ("Add Option"). */
export function optionsCollection(options: INodeProperties[], displayOptions?: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		...(displayOptions ? { displayOptions } : {}),
		options,
	};
}

/** The Additional Fields collection of an operation ("Add Field"). */
export function additionalFieldsCollection(options: INodeProperties[], displayOptions?: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		...(displayOptions ? { displayOptions } : {}),
		options,
	};
}

/** The Update Fields collection of an update operation ("Add Field"): only the fields given change. */
export function updateFieldsCollection(options: INodeProperties[], displayOptions?: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		...(displayOptions ? { displayOptions } : {}),
		options,
	};
}
