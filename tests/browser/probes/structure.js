// What axe-core's verdict depends on, without the text: the elements, their classes, roles
// and types, which ARIA and labelling attributes they carry, and which are empty. Two views
// of one template with other data (another user's name, another topic) give the same string.
() => {
  const VALUED = ['class', 'role', 'type', 'scope', 'open', 'hidden', 'disabled', 'tabindex'];
  const PRESENT = ['alt', 'title', 'for', 'id', 'name', 'lang'];
  return Array.from(document.querySelectorAll('body *'), (el) => {
    let s = el.tagName;
    for (const a of el.attributes) {
      if (VALUED.includes(a.name)) s += ` ${a.name}=${a.value}`;
      else if (a.name.startsWith('aria-') || PRESENT.includes(a.name)) s += ` ${a.name}`;
    }
    return el.textContent.trim() ? s : s + ' empty';
  }).join('|');
}
