// HTTP: the session cookie authenticates; every write carries X-Kairan-Request (CSRF).
export class ApiError extends Error {
  constructor(status, code, message, detail) { super(message || code); this.status = status; this.code = code; this.detail = detail || {}; }
}
export let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Kairan-Request'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch('/api/v1' + path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch { /* empty or not JSON */ }
  if (!res.ok) {
    const err = data && data.error || {};
    if (res.status === 401 && path !== '/auth/login') onUnauthorized(err.code);
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message, err);
  }
  return data;
}
export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b ?? {});
export const patch = (p, b) => api('PATCH', p, b);
export const put = (p, b) => api('PUT', p, b);
export const del = (p) => api('DELETE', p);

// Uploads use XMLHttpRequest for its upload progress events.
export function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', '/api/v1/files?name=' + encodeURIComponent(file.name || 'image.png'));
    x.setRequestHeader('X-Kairan-Request', '1');
    x.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    x.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    x.onload = () => {
      let d = null;
      try { d = JSON.parse(x.responseText); } catch { /* not JSON */ }
      if (x.status === 201 || x.status === 200) resolve(d);
      else reject(new ApiError(x.status, d?.error?.code || 'http_' + x.status, d?.error?.message));
    };
    x.onerror = () => reject(new ApiError(0, 'network', 'network'));
    x.send(file);
  });
}
