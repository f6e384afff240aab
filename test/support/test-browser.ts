// A browser as far as sign-in needs one: keeps cookies per host and port, follows redirects one by one
// (so a test sees every hop), submits forms. Not a user agent to test pages with; Chromium does that.
export interface BrowserResponse {
  status: number;
  url: string;
  headers: Headers;
  body: string;
}

export class TestBrowser {
  readonly #jar = new Map<string, Map<string, string>>();
  /** Sees every response, redirects included (a test may want a hop's headers). */
  onResponse: ((url: string, headers: Headers) => void) | undefined;

  /** One request with this browser's cookies (as a page script's fetch would send them); no redirects followed. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const cookie = this.cookieHeader(url);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string> | undefined), ...(cookie ? { cookie } : {}) },
    });
    this.#store(target.host, response.headers.getSetCookie());
    return response;
  }

  /** The Cookie header this browser sends to a URL's host. */
  cookieHeader(url: string): string {
    const cookies = this.#jar.get(new URL(url).host);
    return cookies ? [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  async get(url: string): Promise<BrowserResponse> {
    return this.#follow(url, { method: 'GET' });
  }

  async submit(url: string, fields: Record<string, string>): Promise<BrowserResponse> {
    return this.#follow(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async #follow(start: string, init: RequestInit): Promise<BrowserResponse> {
    let url = start;
    let request = init;
    for (let hop = 0; hop < 20; hop++) {
      const target = new URL(url);
      const cookies = this.#jar.get(target.host);
      const response = await fetch(url, {
        ...request,
        redirect: 'manual',
        headers: {
          ...(request.headers as Record<string, string> | undefined),
          ...(cookies && cookies.size > 0
            ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
            : {}),
        },
      });
      this.#store(target.host, response.headers.getSetCookie());
      this.onResponse?.(url, response.headers);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url).href;
        // 303, and 302 after a POST, turn into a GET, as browsers do.
        request = { method: 'GET' };
        await response.arrayBuffer();
        continue;
      }
      return { status: response.status, url, headers: response.headers, body: await response.text() };
    }
    throw new Error(`too many redirects from ${start}`);
  }

  #store(host: string, setCookies: string[]): void {
    let cookies = this.#jar.get(host);
    if (!cookies) {
      cookies = new Map();
      this.#jar.set(host, cookies);
    }
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
  }
}

/** The value of a named hidden input in a page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no field ${name} in the page`);
  return match[1]!;
}
