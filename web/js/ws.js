// One WebSocket per tab. Reconnects with capped exponential backoff and jitter; the
// server never replays, so on every 'hello' the store catches up by sequence (after=).
export function connect({ onEvent, onState }) {
  let sock = null, tries = 0, timer = 0, alive = 0, stopped = false, hb = 0;
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/ws';
  function open() {
    clearTimeout(timer);
    if (stopped) return;
    onState(tries ? 'reconnecting' : 'connecting');
    try { sock = new WebSocket(url); } catch { return retry(); }
    sock.onopen = () => { alive = Date.now(); };
    sock.onmessage = (e) => {
      alive = Date.now();
      let ev;
      try { ev = JSON.parse(e.data); } catch { return; }
      if (ev.type === 'hello') { tries = 0; onState('open'); }
      onEvent(ev);
    };
    sock.onclose = (e) => {
      sock = null;
      if (e.code === 4001) { stopped = true; onEvent({ type: 'session.revoked' }); return; }
      retry();
    };
    sock.onerror = () => { /* onclose follows */ };
  }
  function retry() {
    if (stopped) return;
    onState('reconnecting');
    const delay = Math.min(30000, 500 * 2 ** Math.min(tries++, 6)) * (0.75 + Math.random() / 2);
    timer = setTimeout(open, delay);
  }
  // Heartbeat: ping when idle; a socket silent for 70 s is presumed dead.
  hb = setInterval(() => {
    if (!sock || sock.readyState !== 1) return;
    if (Date.now() - alive > 70000) { sock.close(); return; }
    if (Date.now() - alive > 25000) send({ type: 'ping' });
  }, 5000);
  function send(obj) {
    if (sock && sock.readyState === 1) { sock.send(JSON.stringify(obj)); return true; }
    return false;
  }
  const now = () => { if (!sock && !stopped) { tries = 0; open(); } };
  addEventListener('online', now);
  open();
  return {
    send, reconnectNow: now,
    close() { stopped = true; clearInterval(hb); clearTimeout(timer); removeEventListener('online', now); sock && sock.close(); },
  };
}
