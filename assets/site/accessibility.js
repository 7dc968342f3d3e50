// Fixes to the theme's markup that screen readers (and axe-core, in tests/test_site.py) need.
// Runs once the page is parsed; it changes names and roles only, nothing a sighted reader sees.
// The names it writes are in the edition's language (window.nonlinearLabels: _ext/ui_labels.py).
document.addEventListener("DOMContentLoaded", () => {
  const label = (english) => (window.nonlinearLabels || {})[english] || english;
  // The search buttons show "Search Ctrl+K" but are named "Search": let the visible text name them.
  document.querySelectorAll(".search-button__button[aria-label]").forEach((button) => {
    button.removeAttribute("aria-label");
  });
  // The colour-mode button is named "Color mode"; its three icons carry tooltips of their own
  // ("Light", "Dark", "System Settings") that contradict that name. Hide the icons from the tree.
  document.querySelectorAll(".theme-switch-button .theme-switch, .theme-switch-button svg").forEach((icon) => {
    icon.removeAttribute("title");
    icon.setAttribute("aria-hidden", "true");
    icon.querySelectorAll("title").forEach((title) => title.remove());
  });
  // MyST-NB's folded cells: a <summary> reading "Show code cell source" but named
  // "Toggle hidden content". Let the visible text name it.
  document.querySelectorAll('summary[aria-label="Toggle hidden content"]').forEach((summary) => {
    if (summary.textContent.trim()) summary.removeAttribute("aria-label");
  });
  // docutils marks the bibliography as a list whose items carry the deprecated role
  // doc-biblioentry, which is not a list item: a list with no items, to a screen reader.
  document.querySelectorAll('.citation-list[role="list"] > [role="doc-biblioentry"]').forEach((entry) => {
    entry.setAttribute("role", "listitem");
  });
  // The sidebar's expand/collapse arrows are <summary> elements with only an icon inside.
  document.querySelectorAll("nav details > summary").forEach((summary) => {
    if (summary.textContent.trim()) return;
    const link = summary.closest("li")?.querySelector(":scope > a");
    const section = link ? link.textContent.trim() : label("this section");
    summary.setAttribute("aria-label", label("Pages of {section}").replace("{section}", section));
  });
});
