// The words that the theme's scripts add once the page has loaded, in the edition's language.
// window.nonlinearLabels (English -> translation) is written into the page by _ext/ui_labels.py; the
// English edition's table is empty, and every word stays as the script wrote it.
(() => {
  const labels = window.nonlinearLabels || {};
  const lang = document.documentElement.lang;
  // sphinx-copybutton (loaded before this file) picks its tooltips from its table `messages` by the
  // page's language when it loads, and has none for zh-TW: give it the edition's.
  const copyWords = {copy: "Copy", copy_to_clipboard: "Copy to clipboard", copy_success: "Copied!", copy_failure: "Failed to copy"};
  if (typeof messages === "object" && typeof locale === "string" && Object.values(copyWords).every((english) => english in labels)) {
    messages[lang] = Object.fromEntries(Object.entries(copyWords).map(([key, english]) => [key, labels[english]]));
    locale = lang;  // eslint-disable-line no-global-assign
  }
  // sphinx-togglebutton names its button in English whatever the language.
  document.addEventListener("DOMContentLoaded", () => {
    const name = labels["Toggle hidden content"];
    if (!name) return;
    document.querySelectorAll('button.toggle-button[aria-label="Toggle hidden content"]').forEach((button) => {
      button.setAttribute("aria-label", name);
    });
  });
})();
