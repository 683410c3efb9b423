// Render the math of every page with the KaTeX shipped inside the site (docs/hooks.py copies
// it there): pymdownx.arithmatex writes \( \) and \[ \]; the notebook's outputs use $$ too.
// Material loads pages without a full reload, so render on each page it shows.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
  });
});
