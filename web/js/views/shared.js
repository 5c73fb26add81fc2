// The store and DOM helpers the composer uses, from one place.
export { S, send, draft, wsSend } from '../store.js';
export { debounce } from '../dom.js';
