-- Neovim as a real LSP client of `stillpoint lsp` (test/lsp/neovim.test.ts runs it headless).
-- Opens $STILL_SCRIPT, attaches the server started as $STILL_SERVER (a JSON argv), and
-- writes what the editor got to $STILL_OUT as JSON: diagnostics, completion labels, hover
-- text, the formatted buffer, the definition and the buffer after the first quick fix.

local out = {}
local function finish()
  local file = io.open(os.getenv('STILL_OUT'), 'w')
  file:write(vim.fn.json_encode(out))
  file:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('STILL_SCRIPT')))
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)
  local published
  local id = vim.lsp.start_client({
    name = 'stillpoint',
    cmd = vim.fn.json_decode(os.getenv('STILL_SERVER')),
    root_dir = vim.fn.fnamemodify(os.getenv('STILL_SCRIPT'), ':h'),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(e, result, ctx, config)
        if result.uri == uri then published = result end
        vim.lsp.diagnostic.on_publish_diagnostics(e, result, ctx, config)
      end,
    },
  })
  vim.lsp.buf_attach_client(bufnr, id)
  if not vim.wait(20000, function() return published ~= nil end, 50) then error('no diagnostics within 20 s') end
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out.diagnostics, { line = d.lnum, col = d.col, code = d.code, message = d.message })
  end

  local function request(method, params)
    local responses = vim.lsp.buf_request_sync(bufnr, method, params, 10000)
    local response = responses and responses[id]
    if response == nil or response.err then error(method .. ' failed: ' .. vim.inspect(response)) end
    return response.result
  end
  local function at(line, character) return { textDocument = { uri = uri }, position = { line = line, character = character } } end
  local positions = vim.fn.json_decode(os.getenv('STILL_POSITIONS'))

  local completion = request('textDocument/completion', at(positions.completion[1], positions.completion[2]))
  out.completion = {}
  for _, item in ipairs(completion.items or completion) do table.insert(out.completion, item.label) end

  local hover = request('textDocument/hover', at(positions.hover[1], positions.hover[2]))
  out.hover = hover and hover.contents.value

  local definition = request('textDocument/definition', at(positions.definition[1], positions.definition[2]))
  out.definition = definition

  local diagnostic = published.diagnostics[1]
  local actions = request('textDocument/codeAction', { textDocument = { uri = uri }, range = diagnostic.range, context = { diagnostics = { diagnostic } } })
  out.action = actions[1] and actions[1].title
  if actions[1] then vim.lsp.util.apply_workspace_edit(actions[1].edit, 'utf-16') end
  out.fixed = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')

  vim.lsp.buf.formatting_sync(nil, 10000)
  out.formatted = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end)
if not ok then out.error = tostring(err) end
finish()
