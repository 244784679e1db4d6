-- book-alt.lua — a Quarto filter of the book (copied into outputs/EDITION/book/ by
-- cohorte.runner.assembly, run `at: post-render`). Quarto 1.9 writes a figure's `fig-alt` into
-- HTML's alt but leaves DOCX's empty; pandoc's DOCX writer takes the description from the image's
-- alt inlines. Every DOCX image gets one: a figure its `fig-alt`, a callout's icon the callout's
-- title in the book's language (« Avertissement », « Note »…).

local function callout_title(src)
  local kind = src:match("formats/docx/(%a+)%.png$")
  if kind == nil then
    return nil
  end
  local language = quarto.doc.language or {}
  return language["callout-" .. kind .. "-title"] or kind
end

function Image(image)
  if not quarto.doc.is_format("docx") then
    return nil
  end
  if pandoc.utils.stringify(image.caption) ~= "" then
    return nil
  end
  local alt = image.attributes["fig-alt"] or image.attributes["alt"] or callout_title(image.src)
  if alt == nil or alt == "" then
    return nil
  end
  image.caption = pandoc.Inlines({ pandoc.Str(alt) })
  return image
end
