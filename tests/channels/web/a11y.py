"""Accessibility checks run inside the page (WCAG 2.2 AA): names, contrast, visible focus."""

# Every control and region a screen reader lands on must have a name.
NAME_PROBLEMS = """() => {
  const problems = [];
  const text = el => (el.textContent || "").trim();
  for (const el of document.querySelectorAll("button, a[href]")) {
    if (!text(el) && !el.getAttribute("aria-label")) problems.push(el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll("input, textarea, select")) {
    if (!(el.labels && el.labels.length) && !el.getAttribute("aria-label")) problems.push(el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll("[role=group], [role=log], [tabindex='0']")) {
    if (!el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby") && el.tagName !== "BUTTON")
      problems.push(el.outerHTML.slice(0, 80));
  }
  return problems;
}"""

# Text against its effective background: 4.5:1, or 3:1 for large text (24px, or 18.66px bold).
CONTRAST_FAILURES = """() => {
  const parse = c => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c && c.a > 0.99) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || box.width <= 1 || box.height <= 1 || el.closest("noscript")) continue;
    if (el.closest("button:disabled")) continue;  // inactive controls are exempt
    const fg = parse(style.color), bg = background(el);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) failures.push(`${node.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)} < ${need}`);
  }
  return failures;
}"""

# A focused element must show it: an outline or a box shadow.
FOCUS_VISIBLE = """el => {
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 && !s.outlineColor.endsWith(", 0)");
  return outline || (s.boxShadow && s.boxShadow !== "none");
}"""


# --- axe-core ------------------------------------------------------------------------------------------
# The axe-core engine (Deque, MPL-2.0) as shipped inside the axe-playwright-python wheel (a test
# dependency): read from disk, injected into the page, nothing fetched while the tests run.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_script() -> str:
    from importlib import resources

    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


async def axe_serious(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Serious and critical axe violations on the page as it is now, one line each (rule, nodes, help)."""
    await page.evaluate(axe_script())
    results = await page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                                  "resultTypes: ['violations']})", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
            for v in results["violations"] if v.get("impact") in ("serious", "critical")]
