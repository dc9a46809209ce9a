// make_task() of ip/nvr/nvr.cpp: the chain an instruction walks, as the NVR core's derived_t
// (ok, kind, index_base, target_base, target_stride, bound, target_bytes, first_row, row_end).
module nvr_task_decode (
    input  logic [7:0][31:0] words,
    input  logic             sp_valid,
    input  logic [     31:0] sp_col_idx,
    input  logic [     31:0] sp_b_rows,
    output logic [    418:0] d
);
  localparam logic [7:0] OpGather = 8'h05, OpScatter = 8'h06, OpSpmm = 8'h08;
  logic ok;
  logic [1:0] kind;
  logic [63:0] index_base, target_base, target_stride, bound, first_row, row_end;
  logic [31:0] target_bytes;
  logic [7:0] op;
  logic acc, gather;
  always_comb begin
    op = words[0][7:0];
    gather = op == OpGather;
    acc = words[6][31];
    ok = 1'b0;
    kind = 2'd0;
    index_base = '0;
    target_base = '0;
    target_stride = '0;
    target_bytes = '0;
    bound = '0;
    first_row = '0;
    row_end = '0;
    if (op == OpSpmm) begin
      index_base = {32'd0, sp_col_idx};
      target_base = {32'd0, words[1]};
      target_stride = {32'd0, words[2]};
      target_bytes = words[6];
      bound = {32'd0, sp_b_rows};
      first_row = {32'd0, words[3]};
      row_end = {32'd0, words[3]} + {32'd0, words[4]};
      ok = sp_valid && words[4] != 0 && words[6] != 0;
    end else if (op == OpGather || op == OpScatter) begin
      kind = gather ? 2'd1 : 2'd2;
      index_base = {32'd0, words[1]};
      target_base = {32'd0, words[3]};
      target_stride = {32'd0, words[5]};
      // table rows: scratchpad int8, accumulator int32 (gather with i8: int8)
      target_bytes = acc && !(gather && words[0][8]) ? words[7] << 2 : words[7];
      bound = {32'd0, words[4]};
      row_end = {32'd0, words[2]};
      ok = words[2] != 0 && words[7] != 0;
    end
  end
  // the layout of nvr_core's derived_t
  assign d = {ok, kind, index_base, target_base, target_stride, bound, target_bytes, first_row, row_end};
endmodule
