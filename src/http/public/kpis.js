// Posvenda console, KPIs page: draws the charts described in each canvas's data-chart attribute
// (JSON written by the server) with Chart.js, served from /console/static (no CDN, no inline
// script: the console's CSP allows scripts from 'self' only). The tables below the charts carry
// the same figures when scripts are off.
(() => {
  const PALETTE = ['#2e7d5b', '#3b6ea8', '#d08c2b', '#c0392b', '#6b5ca5', '#4f8a3c', '#8a8a8a', '#c06c9a'];
  const brl = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });
  const num = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 1 });

  function format(spec, v) {
    if (v === null || v === undefined) return '–';
    if (spec.percent) return `${num.format(v)}%`;
    if (spec.money) return brl.format(v);
    return num.format(v);
  }

  function draw(canvas) {
    let spec;
    try {
      spec = JSON.parse(canvas.getAttribute('data-chart'));
    } catch {
      return;
    }
    const doughnut = spec.type === 'doughnut';
    const valueAxis = spec.horizontal ? 'x' : 'y';
    const datasets = spec.datasets.map((d, i) => {
      const color = d.color || PALETTE[i % PALETTE.length];
      const fill = doughnut ? spec.labels.map((_, j) => PALETTE[j % PALETTE.length]) : d.colors || color;
      return {
        label: d.label,
        data: d.data,
        type: d.type,
        backgroundColor: fill,
        borderColor: doughnut ? '#ffffff' : d.colors || color,
        borderWidth: d.type === 'line' || spec.type === 'line' ? 2 : 1,
        borderDash: d.dashed ? [6, 4] : undefined,
        pointRadius: d.type === 'line' || spec.type === 'line' ? 3 : undefined,
        spanGaps: true,
        fill: false,
        // Points at 100% sit on the chart's edge: draw them whole.
        clip: false,
        order: d.type === 'line' ? 0 : 1,
      };
    });
    const options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: spec.horizontal ? 'y' : 'x',
      plugins: {
        legend: { display: doughnut || datasets.length > 1, position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (ctx) => {
              const v = typeof ctx.parsed === 'number' ? ctx.parsed : ctx.parsed[valueAxis];
              return `${ctx.dataset.label || ctx.label}: ${format(spec, v)}`;
            },
          },
        },
      },
    };
    if (!doughnut) {
      options.scales = {
        [valueAxis]: {
          beginAtZero: true,
          max: spec.percent ? 100 : undefined,
          ticks: { precision: spec.money || spec.percent ? undefined : 0, callback: (v) => format(spec, v) },
        },
      };
    }
    // Chart: the global of chart.umd.min.js, loaded just before this file.
    new window.Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets }, options });
    canvas.setAttribute('data-drawn', 'true');
  }

  function drawAll() {
    if (typeof window.Chart !== 'function') return;
    for (const c of document.querySelectorAll('canvas[data-chart]')) {
      if (!c.hasAttribute('data-drawn')) draw(c);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
  else drawAll();
})();
