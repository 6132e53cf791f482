/**
 * The path of a Custom API Request: relative to the account's host and under /api/v4/. An
 * absolute URL is accepted only when it points at the credential's own host (it is then cut
 * down to its path); any other host, scheme-relative URL, `..` segment or path outside /api/v4/
 * is refused, so the credential's token never goes anywhere but the account's own API.
 */
export type PathCheck = { ok: true; path: string; query: string } | { ok: false; error: string; hint: string };

const HINT = 'Enter a path such as /api/v4/leads/123 or /api/v4/leads/pipelines; the host comes from the credential.';

export function checkCustomPath(raw: string, baseUrl: string): PathCheck {
	let value = raw.trim();
	if (value === '') return { ok: false, error: 'The path is empty', hint: HINT };
	if (value.startsWith('//') || /^[a-z][a-z0-9+.-]*:/i.test(value)) {
		let url: URL;
		try {
			url = new URL(value.startsWith('//') ? `https:${value}` : value);
		} catch {
			return { ok: false, error: `"${value}" is not a valid URL`, hint: HINT };
		}
		const base = new URL(baseUrl);
		if (url.origin !== base.origin) {
			return {
				ok: false,
				error: `Refused to send the Kommo credential to ${url.origin}`,
				hint: `Custom API Request only calls the account's own host (${base.origin}). ${HINT}`,
			};
		}
		value = `${url.pathname}${url.search}`;
	}
	if (!value.startsWith('/')) value = `/${value}`;
	const [pathPart, ...rest] = value.split('?');
	const query = rest.join('?');
	let decoded: string;
	try {
		decoded = decodeURIComponent(pathPart);
	} catch {
		return { ok: false, error: `"${pathPart}" is not a valid path`, hint: HINT };
	}
	if (decoded.split('/').some((segment) => segment === '..' || segment === '.') || decoded.includes('\\')) {
		return { ok: false, error: `The path "${pathPart}" may not contain "." or ".." segments`, hint: HINT };
	}
	if (!/^\/api\/v4\/[^/]/.test(decoded)) {
		return { ok: false, error: `The path "${pathPart}" is not under /api/v4/`, hint: HINT };
	}
	return { ok: true, path: pathPart, query };
}
