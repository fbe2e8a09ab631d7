// The drill console: live state over Server-Sent Events (/api/events), actions
// through POST /api/actions, both with the token from the URL fragment
// (#token=..., which browsers never send to the server). The fragment is taken
// off the address bar once read (kept for this tab only, so a reload works).
// No dependencies; charts are SVG.

const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? sessionStorage.getItem('livedrill.token');
if (token) sessionStorage.setItem('livedrill.token', token);
if (location.hash) window.history.replaceState(null, '', location.pathname + location.search);
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';

let state = null;
let history = [];
/** server clock - our clock, so the drill clock ticks right between updates. */
let skew = 0;

// ---------------------------------------------------------------- formatting

const pad = (n) => String(n).padStart(2, '0');
function clock(ms) {
  const sign = ms < 0 ? '-' : '';
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  return `${sign}${h > 0 ? `${h}:${pad(Math.floor(s / 60) % 60)}` : Math.floor(s / 60)}:${pad(s % 60)}`;
}
function drillTime(t) {
  return state && state.steadyAt !== null ? `T+${clock(t - state.steadyAt)}` : '';
}
function wall(t) {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
function duration(ms) {
  const s = Math.round(Math.abs(ms) / 1000);
  const units = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor(s / 3600) % 24, 'h'],
    [Math.floor(s / 60) % 60, 'm'],
    [s % 60, 's'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first < 0) return '0s';
  // The two largest units, without trailing zeros: "2h", "1h 59m", "45s".
  return units
    .slice(first, first + 2)
    .filter(([n], i) => i === 0 || n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join(' ');
}
const pct = (r) => (r === null || r === undefined ? '–' : `${(r * 100).toFixed(r > 0 && r < 0.1 ? 1 : 0)}%`);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child); // text stays text: nothing typed by people becomes HTML
  return node;
}

// ---------------------------------------------------------------- charts

const CHARTS = [
  {
    id: 'chart-viewers',
    series: [
      { key: 'connected', label: 'connected', color: '#4fa3f7' },
      { key: 'viewers', label: 'viewers', color: '#8a99a8', dash: '5 4' },
    ],
    max: (pts) => Math.max(1, ...pts.map((p) => p.viewers)),
    format: (v) => String(v),
  },
  {
    id: 'chart-freeze',
    rule: 'freeze-ratio',
    ratio: true,
    series: [{ key: 'freezeRatio', label: 'frozen / connected', color: '#f0883e' }],
    max: () => 1,
    format: pct,
  },
  {
    id: 'chart-audio',
    rule: 'audio-drop',
    ratio: true,
    series: [{ key: 'audioConcealedRatio', label: 'concealed / played', color: '#d2a8ff' }],
    max: () => 1,
    format: pct,
  },
  {
    id: 'chart-disconnects',
    rule: 'disconnects',
    series: [
      { key: 'disconnected', label: 'disconnected now', color: '#f85149' },
      { key: 'disconnects', label: 'disconnects', color: '#d29922', dash: '5 4' },
      { key: 'recoveries', label: 'recoveries', color: '#3fb950', dash: '2 3' },
    ],
    max: (pts) => Math.max(1, ...pts.map((p) => Math.max(p.disconnected, p.disconnects, p.recoveries))),
    format: (v) => String(v),
  },
  {
    id: 'chart-load',
    series: [
      { key: 'machineBusy', label: 'machine CPU (share)', color: '#79c0ff', format: pct },
      { key: 'sfuCores', label: 'SFU workers (cores)', color: '#56d364', format: (v) => (v === null ? '–' : v.toFixed(2)) },
    ],
    max: (pts) => Math.max(1, ...pts.map((p) => p.sfuCores ?? 0)),
    format: (v) => v.toFixed(1),
  },
];

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function drawChart(spec) {
  const figure = $(spec.id);
  const svg = figure.querySelector('svg');
  const box = svg.getBoundingClientRect();
  const w = Math.max(200, Math.round(box.width));
  const h = Math.max(80, Math.round(box.height));
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.replaceChildren();
  const pts = history;
  const left = 34;
  const right = 8;
  const top = 8;
  const bottom = 16;
  const x0 = state && state.steadyAt !== null ? state.steadyAt : (pts[0]?.t ?? Date.now());
  const x1 = Math.max(pts.at(-1)?.t ?? x0, x0 + 60_000);
  const yMax = spec.max(pts) || 1;
  const x = (t) => left + ((t - x0) / (x1 - x0)) * (w - left - right);
  const y = (v) => top + (1 - v / yMax) * (h - top - bottom);

  for (const frac of [0, 0.5, 1]) {
    svg.append(svgEl('line', { class: 'grid', x1: left, x2: w - right, y1: y(frac * yMax), y2: y(frac * yMax) }));
  }
  const label = (text, attrs) => {
    const t = svgEl('text', { class: 'axis', ...attrs });
    t.textContent = text;
    svg.append(t);
  };
  label(spec.format(yMax), { x: 2, y: top + 8 });
  label(spec.format(0), { x: 2, y: h - bottom });
  label('T+0:00', { x: left, y: h - 3 });
  label(`T+${clock(x1 - x0)}`, { x: w - right - 40, y: h - 3 });

  // When this chart's rule fired: shaded.
  if (spec.rule && state) {
    let since = null;
    for (const a of state.alerts.history) {
      if (a.rule !== spec.rule) continue;
      if (a.event === 'fire') since = a.t;
      else if (since !== null) {
        svg.append(svgEl('rect', { class: 'firing', x: x(since), y: top, width: Math.max(1, x(a.t) - x(since)), height: h - top - bottom }));
        since = null;
      }
    }
    if (since !== null) {
      const end = pts.at(-1)?.t ?? since;
      svg.append(svgEl('rect', { class: 'firing', x: x(since), y: top, width: Math.max(1, x(end) - x(since)), height: h - top - bottom }));
    }
    const rule = state.drill.rules.find((r) => r.rule === spec.rule);
    if (rule && spec.ratio) {
      svg.append(svgEl('line', { class: 'threshold', x1: left, x2: w - right, y1: y(rule.threshold), y2: y(rule.threshold) }));
    }
  }

  const legend = figure.querySelector('.legend');
  legend.replaceChildren();
  for (const s of spec.series) {
    const points = pts
      .filter((p) => p[s.key] !== null && p[s.key] !== undefined)
      .map((p) => `${x(p.t).toFixed(1)},${y(p[s.key]).toFixed(1)}`);
    const line = svgEl('polyline', { 'data-series': s.key, points: points.join(' '), stroke: s.color });
    if (s.dash) line.setAttribute('stroke-dasharray', s.dash);
    svg.append(line);
    const last = pts.at(-1)?.[s.key];
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = s.color;
    legend.append(el('span', {}, swatch, `${s.label} `, el('b', {}, last === undefined ? '–' : (s.format ?? spec.format)(last))));
  }
}

// ---------------------------------------------------------------- rendering

const ACTION_WORDS = {
  ack: 'acknowledged',
  ticket: 'opened a vendor ticket',
  'vendor-reply': "recorded the vendor's reply",
  'vendor-ask': 'recorded that the vendor asked for information',
  'vendor-diagnosis': "recorded the vendor's diagnosis",
  'vendor-fix': 'recorded a fix the vendor proposed',
  'vendor-escalate': "recorded that the vendor escalated to its experts",
  'fix-verified': 'verified the fix',
  reopen: 'reopened',
  reclassify: 'reclassified',
  mitigate: 'mitigated',
  resolve: 'resolved',
  note: 'noted',
};

function describeAction(a) {
  if (a.action === 'ticket' && a.ticket) return `opened ${a.ticket.vendor} ticket ${a.ticket.reference} (${a.ticket.severity}, ${a.ticket.channel})`;
  const on = a.reference ? ` on ${a.reference}` : '';
  if (a.action === 'reclassify') return `reclassified${a.reference ? ` ${a.reference}` : ''} to ${a.severity}`;
  const details = [
    a.action === 'vendor-diagnosis' ? (a.rootCause ? 'root cause named' : 'no root cause named') : '',
    a.action === 'vendor-fix' ? `a ${a.fix}` : '',
    a.action === 'fix-verified' ? `by re-run ${a.verifiedBy}` : '',
    a.tags ? `generic: ${a.tags.join(', ')}` : '',
    a.contact ? `contact ${a.contact}` : '',
  ].filter(Boolean);
  return `${ACTION_WORDS[a.action] ?? a.action}${on}${details.length ? ` (${details.join('; ')})` : ''}`;
}

/** A ticket's progress in a few words: what the vendor asked, found and proposed, and whether the fix held. */
function describeProgress(p) {
  return [
    p.clarifications.length ? `${p.clarifications.length} ask${p.clarifications.length > 1 ? 's' : ''}` : '',
    p.rootCauseAt !== null ? 'root cause' : p.firstDiagnosisAt !== null ? 'diagnosis (no root cause)' : '',
    p.fixProposedAt !== null ? `${p.proposals.fix ? 'fix' : 'workaround'} proposed` : '',
    p.escalations ? 'escalated' : '',
    p.solved ? `verified (${p.verifiedBy})` : '',
    p.reopens ? `reopened ${p.reopens}×` : '',
    p.genericReplies ? `${p.genericReplies} generic` : '',
    p.contacts.join(', '),
  ]
    .filter(Boolean)
    .join(' · ') || '–';
}

function renderHeader() {
  $('drill-name').textContent = `Drill: ${state.drill.name}`;
  $('drill-description').textContent = state.drill.description;
  $('phase').textContent = state.ended ? `ended (${state.ended.reason})` : state.phase;
  $('vendor').textContent = state.drill.vendor;
  const profile = state.drill.profile;
  $('sla-profile').textContent = profile
    ? `— judged against ${profile.vendor} ${profile.plan}: ${['P1', 'P2', 'P3', 'P4'].map((s) => `${s} ${duration(profile.firstResponse[s].budgetMs)}`).join(', ')} (${profile.firstResponse.P1.coverage})`
    : '— no SLA profile';
  const tags = $('reply-tags');
  if (tags.querySelectorAll('input').length === 0) {
    for (const [tag, meaning] of Object.entries(state.drill.replyTags)) {
      tags.append(el('label', { title: meaning }, el('input', { type: 'checkbox', name: 'tags', value: tag }), tag));
    }
  }
  const vendorInput = $('ticket-vendor');
  if (!vendorInput.value) vendorInput.value = state.drill.vendor;
  const ended = $('banner-ended');
  ended.hidden = !state.ended;
  if (state.ended) {
    ended.className = 'banner ended';
    ended.textContent = `The drill ended at ${wall(state.ended.at)} (${state.ended.reason === 'resolved' ? 'every incident resolved' : state.ended.reason}). The journal has everything; run "livedrill report" on the run directory.`;
  }
  tick();
}

function tick() {
  if (!state) return;
  const now = state.ended ? state.ended.at : Date.now() + skew;
  $('clock').textContent = state.steadyAt === null ? 'not started' : `T+${clock(now - state.steadyAt)}`;
  $('time-left').textContent = state.endsAt === null ? clock(state.drill.timeLimitMs) : clock(Math.max(0, state.endsAt - now));
}

function renderKpis() {
  const p = state.live;
  const set = (id, text, bad = false) => {
    $(id).textContent = text;
    $(id).classList.toggle('bad', bad);
  };
  if (!p) return;
  set('kpi-connected', `${p.connected} / ${p.viewers}`, p.connected < p.viewers);
  set('kpi-freeze', `${p.frozen} (${pct(p.freezeRatio)})`, p.frozen > 0);
  set('kpi-audio', pct(p.audioConcealedRatio), p.audioConcealedRatio > 0.05);
  set('kpi-disconnected', String(p.disconnected), p.disconnected > 0);
  set('kpi-recoveries', `${p.disconnects} / ${p.recoveries}`);
  // Glass-to-glass from the stamped source; synthetic viewers alone: the network path, so named.
  const { video, path } = p.latencyMs ?? {};
  set('kpi-latency', video != null ? `${Math.round(video)} ms` : path != null ? `${Math.round(path)} ms (network path)` : '–', (video ?? 0) > 1000);
  set('kpi-load', `${pct(p.machineBusy)} / ${p.sfuCores === null ? '–' : p.sfuCores.toFixed(2)}`, (p.machineBusy ?? 0) > 0.9);
}

function renderAlerts() {
  const firing = state.alerts.firing;
  $('alerts-firing').replaceChildren(
    ...firing.map((a) =>
      el('li', { 'data-rule': a.rule }, el('strong', {}, a.rule), ` ${a.description} — now ${pct(a.value)}`, el('span', { class: 'since' }, `firing since ${drillTime(a.since)} (${wall(a.since)})`)),
    ),
  );
  $('alerts-none').hidden = firing.length > 0;
  $('alerts-count').textContent = String(state.alerts.history.length);
  $('alerts-history').replaceChildren(
    ...state.alerts.history
      .slice()
      .reverse()
      .map((a) => el('li', { 'data-rule': a.rule, 'data-event': a.event }, el('span', { class: 't' }, `${drillTime(a.t)} ${wall(a.t)}`), `${a.rule} ${a.event === 'fire' ? 'FIRING' : 'resolved'} (${pct(a.value)})`)),
  );
}

function renderTimeline() {
  const items = state.timeline.slice().reverse();
  $('timeline-list').replaceChildren(
    ...items.map((a) =>
      el(
        'li',
        { 'data-action': a.action },
        el('span', { class: 't' }, `${drillTime(a.t)} ${wall(a.t)}`),
        el('span', { class: 'who' }, a.who),
        ` ${describeAction(a)}`,
        a.text ? ` — ${a.text}` : '',
      ),
    ),
  );
  $('timeline-none').hidden = items.length > 0;
}

function renderTickets() {
  $('tickets-body').replaceChildren(
    ...state.tickets.map((t) => {
      const sla = t.sla;
      const status = sla ? `${sla.status}${sla.status === 'pending' ? `, ${duration(sla.marginMs)} left` : sla.marginMs >= 0 ? `, ${duration(sla.marginMs)} early` : `, ${duration(sla.marginMs)} late`}` : 'no profile';
      return el(
        'tr',
        { 'data-reference': t.reference },
        el('td', {}, `${t.vendor} ${t.reference} (${t.channel})`),
        el('td', {}, t.severity),
        el('td', {}, `${drillTime(t.openedAt)} ${wall(t.openedAt)} by ${t.openedBy}`),
        el('td', {}, sla ? `${new Date(sla.deadline).toLocaleString()} (${sla.severity}, ${duration(sla.budgetMs)})` : '–'),
        el('td', {}, t.firstReplyAt === null ? 'waiting' : `${drillTime(t.firstReplyAt)} after ${duration(t.firstReplyAt - t.openedAt)}`),
        el('td', { class: sla ? `sla-${sla.status}` : '' }, status),
        el('td', { class: 'progress' }, describeProgress(t.progress)),
      );
    }),
  );
  $('tickets-none').hidden = state.tickets.length > 0;
  const select = $('vendor-reference');
  const current = select.value;
  select.replaceChildren(el('option', { value: '' }, 'latest'), ...state.tickets.map((t) => el('option', { value: t.reference }, t.reference)));
  select.value = state.tickets.some((t) => t.reference === current) ? current : '';
}

function renderForms() {
  const disabled = !token || Boolean(state?.ended);
  for (const button of document.querySelectorAll('#actions button')) button.disabled = disabled;
  $('banner-readonly').hidden = Boolean(token);
}

function render() {
  if (!state) return;
  renderHeader();
  renderKpis();
  renderAlerts();
  renderTimeline();
  renderTickets();
  renderForms();
  for (const spec of CHARTS) drawChart(spec);
}

// ---------------------------------------------------------------- live feed

function onState(next) {
  state = next;
  skew = next.now - Date.now();
}

function connect() {
  if (!token) {
    $('feed').textContent = 'no token: open the console URL livedrill drill printed';
    $('feed').className = 'feed-off';
    return;
  }
  const source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
  source.addEventListener('open', () => {
    $('feed').textContent = 'live';
    $('feed').className = 'feed-on';
  });
  source.addEventListener('snapshot', (e) => {
    const data = JSON.parse(e.data);
    history = data.history;
    onState(data.state);
    render();
  });
  source.addEventListener('update', (e) => {
    // Only what changed: whole parts of the state, and items appended to its lists.
    const data = JSON.parse(e.data);
    if (data.point) history.push(data.point);
    const next = { ...state, ...data.set };
    for (const [key, items] of Object.entries(data.append)) next[key] = [...(state[key] ?? []), ...items];
    onState(next);
    render();
  });
  source.addEventListener('end', () => {
    source.close();
    $('feed').textContent = 'drill over';
    $('feed').className = 'feed-off';
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) return;
    $('feed').textContent = 'reconnecting…';
    $('feed').className = 'feed-off';
  });
}

// ---------------------------------------------------------------- actions

async function post(body) {
  const res = await fetch('/api/actions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ ...body, source: 'console' }),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error ?? `HTTP ${res.status}`);
  return data.recorded;
}

function status(text, kind) {
  $('action-status').textContent = text;
  $('action-status').className = kind;
}

function onSubmit(form, build) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const who = $('who').value.trim();
    if (!who) {
      status('Say who you are first (the "Who" field).', 'error');
      $('who').focus();
      return;
    }
    localStorage.setItem('livedrill.who', who);
    const action = event.submitter?.value;
    const data = new FormData(form);
    const fields = Object.fromEntries(data);
    const text = (fields.text ?? '').trim();
    const body = { action, who, ...build(action, fields, data), ...(text ? { text } : {}) };
    try {
      const recorded = await post(body);
      status(`Recorded: ${who} ${describeAction(recorded)} at ${wall(recorded.t)}.`, 'ok');
      form.reset();
      if (form.id === 'form-ticket') $('ticket-vendor').value = state?.drill.vendor ?? '';
    } catch (error) {
      status(error.message, 'error');
    }
  });
}

$('who').value = localStorage.getItem('livedrill.who') ?? '';
onSubmit($('form-quick'), () => ({}));
onSubmit($('form-ticket'), (_action, f) => ({
  ticket: { vendor: f.vendor.trim(), severity: f.severity, channel: f.channel, reference: f.reference.trim() },
}));
onSubmit($('form-vendor'), (action, f, data) => {
  const vendorSaid = action.startsWith('vendor-');
  const tags = data.getAll('tags');
  const contact = (f.contact ?? '').trim();
  return {
    ...(f.reference ? { reference: f.reference } : {}),
    ...(action === 'reclassify' ? { severity: f.severity } : {}),
    ...(vendorSaid && tags.length ? { tags } : {}),
    ...(vendorSaid && contact ? { contact } : {}),
    ...(action === 'vendor-diagnosis' ? { rootCause: f.rootCause === 'on' } : {}),
    ...(action === 'vendor-fix' ? { fix: f.fix } : {}),
    ...(action === 'fix-verified' ? { verifiedBy: (f.verifiedBy ?? '').trim() } : {}),
  };
});
onSubmit($('form-note'), () => ({}));

renderForms();
setInterval(tick, 500);
window.addEventListener('resize', () => state && CHARTS.forEach(drawChart));
connect();
