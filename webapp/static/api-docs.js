// Starts Swagger UI on the API docs page (kept out of the HTML: the CSP forbids inline scripts).
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.spec, dom_id: "#swagger-ui", deepLinking: true });
});
