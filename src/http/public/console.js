// Posvenda console: small progressive enhancements. Every page works without this file.
(() => {
  // Photo zoom: a link marked data-lightbox opens the full-size image in a dialog (the link itself
  // opens it in a new tab when scripts are off).
  function openLightbox(href, alt) {
    const dialog = document.createElement('dialog');
    dialog.className = 'lightbox';
    const bar = document.createElement('div');
    bar.className = 'bar';
    const open = document.createElement('a');
    open.href = href;
    open.target = '_blank';
    open.rel = 'noopener';
    open.className = 'button';
    open.textContent = 'Abrir em nova aba';
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Fechar ✕';
    close.addEventListener('click', () => dialog.close());
    bar.append(open, close);
    const img = document.createElement('img');
    img.src = href;
    img.alt = alt || 'Foto';
    img.addEventListener('click', () => dialog.close());
    dialog.append(bar, img);
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  }

  document.addEventListener('click', (ev) => {
    const link = ev.target instanceof Element ? ev.target.closest('a[data-lightbox]') : null;
    if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey || typeof HTMLDialogElement !== 'function') return;
    ev.preventDefault();
    const img = link.querySelector('img');
    openLightbox(link.getAttribute('href'), img ? img.getAttribute('alt') : '');
  });

  // Ready-made messages: picking one fills the message box (still editable).
  document.addEventListener('change', (ev) => {
    const select = ev.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.fill) return;
    const box = document.getElementById(select.dataset.fill);
    if (box && select.value) box.value = select.value;
  });

  // Forms that change something important ask first.
  document.addEventListener('submit', (ev) => {
    const form = ev.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      ev.preventDefault();
    }
  });
})();

// Release page: the chosen total updates as boxes change (the server checks it again).
(() => {
  const fmt = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 2 });
  function update(form) {
    const cap = Number(form.dataset.cap);
    let total = 0;
    for (const box of form.querySelectorAll('input[name="id"][data-kg]'))
      if (box.checked) total += Number(box.dataset.kg);
    total = Math.round(total * 1000) / 1000;
    const out = form.querySelector('[data-total]');
    if (out) out.textContent = `${fmt.format(total)} kg`;
    const over = form.querySelector('[data-over]');
    if (over) over.hidden = !(total > cap);
  }
  document.addEventListener('change', (ev) => {
    const form = ev.target instanceof Element ? ev.target.closest('form.release-form') : null;
    if (form) update(form);
  });
})();
