// Starts Swagger UI on the API's own OpenAPI document (kept out of the HTML so the page needs no inline script).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#reference", deepLinking: true });
});
