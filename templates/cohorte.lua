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
