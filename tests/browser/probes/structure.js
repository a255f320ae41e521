// What axe-core's verdict depends on, without the text and without how often a part repeats:
// each element as its ancestors' chain (tag, classes, roles and types, which ARIA and
// labelling attributes it carries, whether it is empty), each distinct chain once, sorted.
// Two views of one template with other data (another user's name, a table of 3 rows or of
// 30, another topic) give the same string; a part that only one of them has (a form, a
// warning, a button in a cell) makes them differ.
() => {
  const VALUED = ['class', 'role', 'type', 'scope', 'open', 'hidden', 'disabled', 'tabindex'];
  const PRESENT = ['alt', 'title', 'for', 'id', 'name', 'lang'];
  const own = (el) => {
    let s = el.tagName;
    for (const a of el.attributes) {
      if (VALUED.includes(a.name)) s += ` ${a.name}=${a.value}`;
      else if (a.name.startsWith('aria-') || PRESENT.includes(a.name)) s += ` ${a.name}`;
    }
    return el.textContent.trim() ? s : s + ' empty';
  };
  const chains = new Map([[document.body, 'BODY']]);
  for (const el of document.querySelectorAll('body *')) {
    chains.set(el, `${chains.get(el.parentElement)} > ${own(el)}`);
  }
  chains.delete(document.body);
  return Array.from(new Set(chains.values())).sort().join('\n');
}
