// Tell RequireJS where the ipywidgets HTML manager lives on this site (_static/vendor/html-manager/),
// so the fonts and modules it loads by relative path come from there, not from the page's folder.
// Loaded after require.js and before embed-amd.js (nb_ipywidgets_js in _config.yml).
(function () {
  const here = document.currentScript.src;
  const manager = new URL("vendor/html-manager/", here).href;
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": manager.replace(/\/$/, "") } });
})();
