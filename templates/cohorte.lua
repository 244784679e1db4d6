-- cohorte.lua — pandoc filter of the built-in engine (cohorte.rendering).
-- Unwraps notebook cells, and
-- Turns the notebooks' boxed notices (fenced divs `.callout-*`, as written by
-- cohorte.display.demo_notice) into a box in every output format:
--   html  -> kept as <div class="callout callout-warning"> (styled by cohorte.css)
--   typst -> #notice[ ... ] (defined in report.typ)
--   docx  -> paragraphs in the "Encadré" style (defined in reference.docx)

local function is_callout(div)
  for _, class in ipairs(div.classes) do
    if class:match("^callout") then return true end
  end
  return false
end

function Div(div)
  -- pandoc's ipynb reader wraps each cell in a Div: unwrap it so that sections nest
  -- in the table of contents and typst gets no needless #block.
  if div.classes:includes("cell") then return div.content end
  if not is_callout(div) then return nil end
  if FORMAT:match("typst") then
    local blocks = { pandoc.RawBlock("typst", "#notice[") }
    for _, block in ipairs(div.content) do table.insert(blocks, block) end
    table.insert(blocks, pandoc.RawBlock("typst", "]"))
    return blocks
  elseif FORMAT:match("docx") then
    div.attributes["custom-style"] = "Encadré"
    return div
  elseif FORMAT:match("html") then
    div.classes:insert("callout")
    return div
  end
  return nil
end

-- HTML tables: column and row headers with their scope (the first column names the row), and
-- the table wrapped in a focusable, labelled region that scrolls alone on a narrow screen
-- (WCAG 1.4.10 reflow), instead of the whole page.
local function escape_attr(text)
  return (text:gsub('[&"<>]', { ["&"] = "&amp;", ['"'] = "&quot;", ["<"] = "&lt;", [">"] = "&gt;" }))
end

function Table(tbl)
  if not FORMAT:match("html") then return nil end
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do cell.attributes.scope = "col" end
  end
  for _, body in ipairs(tbl.bodies) do
    body.row_head_columns = 1
    for _, row in ipairs(body.body) do
      if row.cells[1] then row.cells[1].attributes.scope = "row" end
    end
  end
  local label = pandoc.utils.stringify(tbl.caption.long)
  if label == "" then label = "Tableau" end
  return {
    pandoc.RawBlock("html", '<div class="table-wrap" role="region" tabindex="0" aria-label="' .. escape_attr(label) .. '">'),
    tbl,
    pandoc.RawBlock("html", "</div>"),
  }
end
