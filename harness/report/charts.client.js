// Runs in the browser, inlined into report.html after uPlot. Draws the time
// charts from the JSON in <script id="report-data">: fault windows shaded,
// alerts and human actions as vertical lines, times in UTC.
// window.livedrillCharts tells what was drawn (used by livedrill's own tests).
(function () {
  'use strict';
  var state = (window.livedrillCharts = { ready: false, error: null, charts: {}, bands: {}, markers: {} });
  try {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    var C = data.charts;
    var FAULT_FILL = 'rgba(255, 166, 0, 0.22)';
    var FAULT_EDGE = 'rgba(204, 120, 0, 0.9)';
    var MARKER = { alert: '#c62828', 'alert.resolve': '#2e7d32', action: '#283593' };
    var sec = function (ms) { return ms / 1000; };
    // Axis and legend times as UTC clock times, 24 h (what server logs use).
    var clock = function (ts, ms) { var s = new Date(ts * 1000).toISOString(); return ms ? s.slice(11, 23) : s.slice(11, 19); };
    var timeAxis = {
      values: function (u, splits) {
        var fine = splits.length > 1 && splits[1] - splits[0] < 1;
        return splits.map(function (ts) { return clock(ts, fine); });
      },
    };

    function overlays(name) {
      return {
        hooks: {
          // Behind the series: the fault windows.
          drawClear: [
            function (u) {
              var ctx = u.ctx;
              var bands = [];
              ctx.save();
              C.faults.forEach(function (f) {
                var x0 = u.valToPos(sec(f.start), 'x', true);
                var x1 = u.valToPos(sec(f.end), 'x', true);
                var left = Math.max(u.bbox.left, Math.min(x0, x1));
                var right = Math.min(u.bbox.left + u.bbox.width, Math.max(x0, x1));
                var minW = 2 * devicePixelRatio;
                if (right < u.bbox.left || left > u.bbox.left + u.bbox.width) return;
                if (right - left < minW) right = left + minW;
                ctx.fillStyle = FAULT_FILL;
                ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
                ctx.fillStyle = FAULT_EDGE;
                ctx.fillRect(left, u.bbox.top, Math.max(1, devicePixelRatio), u.bbox.height);
                ctx.font = 11 * devicePixelRatio + 'px system-ui, sans-serif';
                ctx.fillText(f.faultId, left + 3 * devicePixelRatio, u.bbox.top + u.bbox.height - 4 * devicePixelRatio);
                bands.push({ faultId: f.faultId, left: left / devicePixelRatio, width: (right - left) / devicePixelRatio });
              });
              ctx.restore();
              state.bands[name] = bands;
            },
          ],
          // Over the series: alerts and what people did.
          draw: [
            function (u) {
              var ctx = u.ctx;
              var drawn = [];
              ctx.save();
              ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
              ctx.lineWidth = devicePixelRatio;
              ctx.font = 10 * devicePixelRatio + 'px system-ui, sans-serif';
              data.markers.forEach(function (m, i) {
                var x = u.valToPos(sec(m.t), 'x', true);
                if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
                ctx.strokeStyle = ctx.fillStyle = MARKER[m.type] || '#333';
                ctx.beginPath();
                ctx.moveTo(x, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + u.bbox.height);
                ctx.stroke();
                ctx.fillText(m.label, x + 2 * devicePixelRatio, u.bbox.top + (10 + (i % 4) * 11) * devicePixelRatio);
                drawn.push(m.label);
              });
              ctx.restore();
              state.markers[name] = drawn;
            },
          ],
        },
      };
    }

    function chart(name, el, series, seriesData, axes, scales, height) {
      var opts = {
        width: Math.max(320, el.clientWidth),
        height: height || 260,
        scales: Object.assign({ x: { time: true, range: [sec(C.from), sec(C.to)] } }, scales || {}),
        series: [{ label: 'UTC', value: function (u, ts) { return ts === null ? '-' : clock(ts, true); } }].concat(
          series.map(function (s) { return Object.assign({ points: { show: false } }, s); }),
        ),
        axes: [timeAxis].concat(axes),
        plugins: [overlays(name)],
        cursor: { drag: { x: true, y: false } },
        legend: { live: true },
      };
      var u = new uPlot(opts, seriesData, el);
      state.charts[name] = { points: seriesData[0].length, series: series.map(function (s) { return s.label; }), max: seriesData.slice(1).map(maxOf) };
      window.addEventListener('resize', function () { u.setSize({ width: Math.max(320, el.clientWidth), height: opts.height }); });
      return u;
    }

    function maxOf(arr) {
      var m = null;
      for (var i = 0; i < arr.length; i++) if (arr[i] !== null && (m === null || arr[i] > m)) m = arr[i];
      return m;
    }
    var percentAxis = { values: function (u, vals) { return vals.map(function (v) { return v + ' %'; }); }, size: 60 };
    var percent = function (arr) { return arr.map(function (v) { return v === null ? null : Math.round(v * 10000) / 100; }); };
    var stepped = uPlot.paths && uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined;

    var el = document.querySelector('[data-chart="freeze"]');
    if (el) {
      var F = C.frozenShare;
      chart(
        'freeze',
        el,
        [
          { label: 'Frozen (W3C)', stroke: '#d62728', fill: 'rgba(214, 39, 40, 0.15)', width: 1.5, paths: stepped, value: function (u, v) { return v === null ? '-' : v.toFixed(1) + ' %'; } },
          { label: 'Frozen (gap > 500 ms)', stroke: '#ff7f0e', width: 1.5, dash: [6, 3], paths: stepped, value: function (u, v) { return v === null ? '-' : v.toFixed(1) + ' %'; } },
          { label: 'Joined viewers', stroke: '#888', width: 1, scale: 'n', paths: stepped },
        ],
        [F.t.map(sec), percent(F.w3c), percent(F.fixedVideo), F.joined],
        [percentAxis, { scale: 'n', side: 1, label: 'joined viewers', grid: { show: false }, size: 50 }],
        { y: { range: [0, 100] }, n: { range: function (u, lo, hi) { return [0, Math.max(1, hi)]; } } },
      );
    }

    el = document.querySelector('[data-chart="audio"]');
    if (el) {
      var A = C.audioConcealment;
      chart(
        'audio',
        el,
        [
          { label: 'Concealed, all viewers', stroke: '#6a1b9a', fill: 'rgba(106, 27, 154, 0.12)', width: 1.5, paths: stepped, value: function (u, v) { return v === null ? '-' : v.toFixed(2) + ' %'; } },
          { label: 'Concealed, worst viewer', stroke: '#ab47bc', width: 1, dash: [5, 3], paths: stepped, value: function (u, v) { return v === null ? '-' : v.toFixed(2) + ' %'; } },
        ],
        [A.t.map(sec), percent(A.all), percent(A.worst)],
        [percentAxis],
        { y: { range: function (u, lo, hi) { return [0, Math.max(5, Math.ceil(hi || 0))]; } } },
      );
    }

    el = document.querySelector('[data-chart="latency"]');
    if (el) {
      var L = C.latency;
      var msValue = function (u, v) { return v === null ? '-' : v.toFixed(0) + ' ms'; };
      chart(
        'latency',
        el,
        [
          { label: 'Video, all viewers (median)', stroke: '#1565c0', width: 1.5, paths: stepped, value: msValue },
          { label: 'Video, worst viewer (median)', stroke: '#64b5f6', width: 1, dash: [5, 3], paths: stepped, value: msValue },
          { label: 'Video received, all viewers (median)', stroke: '#2e7d32', width: 1, dash: [2, 2], paths: stepped, value: msValue },
          { label: 'Audio, all viewers (median)', stroke: '#6a1b9a', width: 1, paths: stepped, value: msValue },
        ],
        [L.t.map(sec), L.video, L.worstVideo, L.received, L.audio],
        [{ values: function (u, vals) { return vals.map(function (v) { return v + ' ms'; }); }, size: 70 }],
        { y: { range: function (u, lo, hi) { return [0, Math.max(100, Math.ceil((hi || 0) / 50) * 50)]; } } },
      );
    }

    el = document.querySelector('[data-chart="connections"]');
    if (el) {
      var N = C.connections;
      var nz = function (arr) { return arr.map(function (v) { return v > 0 ? v : null; }); };
      var dots = function (color, shape) { return { label: shape, stroke: color, fill: color, width: 0, paths: function () { return null; }, points: { show: true, size: 9, fill: color, stroke: color } }; };
      var joins = dots('#2e7d32', 'Joined (first frame)');
      var downs = dots('#c62828', 'Disconnected');
      var ups = dots('#1565c0', 'Recovered');
      chart(
        'connections',
        el,
        [joins, downs, ups, { label: 'Watching', stroke: '#555', width: 1.5, scale: 'n', paths: stepped }],
        [N.t.map(sec), nz(N.joins), nz(N.disconnects), nz(N.recoveries), N.watching],
        [{ label: 'events per ' + N.stepMs / 1000 + ' s', size: 50 }, { scale: 'n', side: 1, label: 'watching', grid: { show: false }, size: 50 }],
        {
          y: { range: function (u, lo, hi) { return [0, Math.max(2, (hi || 0) + 1)]; } },
          n: { range: function (u, lo, hi) { return [0, Math.max(1, hi || 0) + 1]; } },
        },
        220,
      );
    }
    state.ready = true;
  } catch (error) {
    state.error = String(error && error.stack ? error.stack : error);
    var box = document.getElementById('chart-error');
    if (box) {
      box.hidden = false;
      box.textContent = 'The charts could not be drawn: ' + state.error;
    }
  }
})();
