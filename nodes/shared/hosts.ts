/**
 * Vendor hosts from what people type into a credential, in ONE place for the
 * credentials (their test requests and OAuth URLs are n8n expressions) and the
 * nodes (TypeScript). `vendorHost` is written as a self-contained function so
 * that `hostExpression` can put its very source into an n8n expression: the
 * editor's credential test, the OAuth token exchange and the nodes all build
 * the same URL from the same input.
 *
 * Rules (issue 14 items 3-4, issue 16 low finding L8):
 * - the account label accepts what people paste ("acme", "acme.kommo.com",
 *   "https://acme.kommo.com/leads") and must then be one plain hostname label;
 *   anything else ("evil.example/#") is refused, never concatenated;
 * - a base-URL override is accepted without further choice only as https on
 *   the vendor's own domain; any other host (a proxy, a sandbox, loopback)
 *   needs the explicit "Custom Host or Proxy" switch;
 * - an override that already ends in the API path (`/api/v2`, `/api/v4`) is
 *   not given it twice.
 */

export interface HostSpec {
	/** Shown in messages. */
	vendor: string;
	/** The credential field with the account label (Kommo `subdomain`, Chargebee `site`). */
	labelField: string;
	/** The credential field choosing the domain, if any. */
	domainField: string;
	/** Allowed domains; the first is the default. */
	domains: string[];
	/** Appended to the base (Chargebee `/api/v2`; Kommo paths carry `/api/v4` themselves). */
	apiPath: string;
	/** Removed from the end of an override before `apiPath` is added. */
	stripPaths: string[];
	/** Labels that are not accounts. */
	reserved: string[];
}

export const KOMMO_HOST: HostSpec = {
	vendor: 'Kommo',
	labelField: 'subdomain',
	domainField: 'domain',
	domains: ['kommo.com', 'amocrm.com', 'amocrm.ru'],
	apiPath: '',
	stripPaths: ['/api/v4'],
	reserved: ['www'],
};

export const CHARGEBEE_HOST: HostSpec = {
	vendor: 'Chargebee',
	labelField: 'site',
	domainField: '',
	domains: ['chargebee.com'],
	apiPath: '/api/v2',
	stripPaths: ['/api/v2'],
	reserved: ['www', 'app'],
};

export type HostPart = 'base' | 'consent';
export type HostResult = { ok: true; url: string } | { ok: false; error: string };

/**
 * The URL for `part` ('base': API base; 'consent': Kommo's OAuth consent page).
 * Self-contained on purpose (no imports, no outer names): its source runs inside n8n expressions.
 */
export function vendorHost(c: Record<string, unknown>, spec: HostSpec, part: HostPart): HostResult {
	const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const domainList = spec.domains.map(esc).join('|');
	const custom = c.customHost === true || c.customHost === 'true';
	const override = String(c.baseUrl ?? '').trim();
	let chosen = spec.domains[0];
	if (spec.domainField !== '' && spec.domains.indexOf(String(c[spec.domainField] ?? '').toLowerCase()) >= 0) {
		chosen = String(c[spec.domainField]).toLowerCase();
	}
	if (override !== '') {
		const m = /^(https?):\/\/([^/?#@\s\\]+)(\/[^?#\s\\]*)?$/i.exec(override);
		if (m === null) return { ok: false, error: `${spec.vendor} credential: base URL override "${override}" is not an http(s) URL such as https://proxy.example.com` };
		const scheme = m[1].toLowerCase();
		const host = m[2].toLowerCase();
		let path = (m[3] ?? '').replace(/\/+$/, '');
		for (const strip of spec.stripPaths) if (path.toLowerCase().endsWith(strip)) path = path.slice(0, path.length - strip.length);
		path = path.replace(/\/+$/, '');
		const own = new RegExp(`^[a-z0-9][a-z0-9-]*\\.(${domainList})$`).exec(host);
		if (!custom && (scheme !== 'https' || own === null)) {
			return {
				ok: false,
				error: `${spec.vendor} credential: base URL override "${override}" is not https on ${spec.domains.join(' / ')}; turn on "Custom Host or Proxy" to send this credential's key to another host`,
			};
		}
		const base = `${scheme}://${host}${path}`;
		if (part === 'consent') return { ok: true, url: custom ? `${base}/oauth` : `https://www.${own ? own[1] : chosen}/oauth` };
		return { ok: true, url: `${base}${spec.apiPath}` };
	}
	if (custom) return { ok: false, error: `${spec.vendor} credential: "Custom Host or Proxy" is on but the base URL override is empty` };
	const raw = String(c[spec.labelField] ?? '').trim().toLowerCase();
	const stripped = raw.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
	const m = new RegExp(`^([a-z0-9][a-z0-9-]*)(?:\\.(${domainList}))?$`).exec(stripped);
	if (m === null || spec.reserved.indexOf(m[1]) >= 0) {
		return {
			ok: false,
			error:
				raw === ''
					? `${spec.vendor} credential: the ${spec.labelField} is empty`
					: `${spec.vendor} credential: "${raw}" is not a ${spec.labelField} name; enter the part before .${spec.domains[0]}, e.g. "acme" for https://acme.${spec.domains[0]}`,
		};
	}
	const domain = m[2] ?? chosen;
	if (part === 'consent') return { ok: true, url: `https://www.${domain}/oauth` };
	return { ok: true, url: `https://${m[1]}.${domain}${spec.apiPath}` };
}

/**
 * An n8n expression (without `={{ }}`) giving the same URL as `vendorHost`, for credential
 * properties (`$self`) and credential test requests (`$credentials`). A refused input gives an
 * address under `.invalid` (RFC 2606) that names the problem, so nothing is sent anywhere.
 */
export function hostExpression(spec: HostSpec, source: '$credentials' | '$self', part: HostPart, suffix = ''): string {
	return `(() => { const r = (${vendorHost.toString()})(${source}, ${JSON.stringify(spec)}, ${JSON.stringify(part)}); return r.ok ? r.url + ${JSON.stringify(suffix)} : "https://${spec.vendor.toLowerCase()}-credential-is-invalid-see-its-fields.invalid"; })()`;
}
