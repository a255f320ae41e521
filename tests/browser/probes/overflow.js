// The page's width and, when it is wider than the window, the elements reaching furthest
// right (those that make it wide), leaving out the content of a closed <details> (not drawn).
() => {
  const inner = window.innerWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= inner) return {scroll, inner, culprits: []};
  const folded = (el) => {
    const details = el.closest('details:not([open])');
    return details !== null && details !== el && !el.closest('summary');
  };
  const name = (el) => {
    const cls = typeof el.className === 'string' ? el.className.trim() : '';
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (cls ? '.' + cls.split(/\s+/).join('.') : '');
  };
  const wide = Array.from(document.querySelectorAll('body *'),
                          (el) => [el, el.getBoundingClientRect().right])
    .filter(([el, right]) => right > inner + 0.5 && !folded(el))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4);
  return {scroll, inner, culprits: wide.map(([el, right]) => `${name(el)} to ${Math.round(right)} px`)};
}
