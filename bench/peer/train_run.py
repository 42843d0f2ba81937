#!/usr/bin/env python3
"""PyTorch reference of a whole training run, for bench/train_run_bench (which starts it).

The same work as `moewb train` on the same token ids: the default model's shape (d 256, 4 heads,
3 + 3 pre-norm layers, d_ff 1024 ReLU, tied embeddings, dropout 0.1) written the idiomatic way
(torch.nn.Transformer, norm_first), batches of similar length holding at most BATCH_TOKENS padded
tokens, shuffled each epoch; label smoothing 0.1 over the real target positions only; Adam (0.9,
0.98) with inverse-square-root warm-up and gradient clipping at 1.0; after every epoch the
validation loss and a checkpoint (last model + optimizer, and the best model). The run's time
counts from reading the ids to the last checkpoint, as the project's run counts from tokenizing.

Input (written by train_run_bench): a text file with the lines "train" and "valid" opening two
sections; every other line is "source ids<TAB>target ids" (source ends with EOS; the target's BOS
and EOS are added here, as the project's batching does).

Usage: python3 train_run.py IDS EPOCHS BATCH_TOKENS THREADS CHECKPOINT_DIR
Prints one line: "peer tokens N seconds S phases name=seconds,..."
"""
import math, os, random, sys, time
from collections import defaultdict
import torch, torch.nn as nn, torch.nn.functional as F

IDS, EPOCHS, BATCH_TOKENS, THREADS, OUT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.set_num_threads(THREADS)
PAD, BOS, EOS, V, D, H, L, DFF, P = 0, 2, 3, 8000, 256, 4, 3, 1024, 0.1
phases = defaultdict(float)


class Timed:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        phases[self.name] += time.perf_counter() - self.start


class Translator(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(V, D, padding_idx=PAD)
        nn.init.normal_(self.embedding.weight, 0, D ** -0.5)
        position = torch.arange(512).float()[:, None]
        rate = torch.pow(10000, torch.arange(0, D, 2).float() / D)
        table = torch.zeros(512, D)
        table[:, 0::2], table[:, 1::2] = torch.sin(position / rate), torch.cos(position / rate)
        self.register_buffer('positions', table, persistent=False)
        self.core = nn.Transformer(D, H, L, L, DFF, P, batch_first=True, norm_first=True)
        self.dropout = nn.Dropout(P)

    def embed(self, ids):
        return self.dropout(self.embedding(ids) * math.sqrt(D) + self.positions[:ids.shape[1]])

    def forward(self, source, target_in):
        source_pad = source == PAD
        causal = self.core.generate_square_subsequent_mask(target_in.shape[1])
        states = self.core(self.embed(source), self.embed(target_in), tgt_mask=causal,
                           src_key_padding_mask=source_pad, memory_key_padding_mask=source_pad)
        return states


def read_ids(path):
    sections = {'train': [], 'valid': []}
    current = None
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line in sections:
                current = sections[line]
                continue
            source, target = line.split('\t')
            current.append(([int(t) for t in source.split()], [int(t) for t in target.split()]))
    return sections['train'], sections['valid']


def make_batches(pairs, rng):
    order = list(range(len(pairs)))
    if rng:
        rng.shuffle(order)
    order.sort(key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    batches, rows, longest = [], [], 0
    for i in order:
        length = len(pairs[i][0]) + len(pairs[i][1]) + 1
        if rows and max(longest, length) * (len(rows) + 1) > BATCH_TOKENS:
            batches.append(rows)
            rows, longest = [], 0
        rows.append(i)
        longest = max(longest, length)
    if rows:
        batches.append(rows)
    if rng:
        rng.shuffle(batches)
    out = []
    for rows in batches:
        s_len = max(len(pairs[i][0]) for i in rows)
        t_len = max(len(pairs[i][1]) for i in rows) + 1
        source = torch.full((len(rows), s_len), PAD, dtype=torch.long)
        target_in = torch.full((len(rows), t_len), PAD, dtype=torch.long)
        target_out = torch.full((len(rows), t_len), PAD, dtype=torch.long)
        tokens = 0
        for r, i in enumerate(rows):
            s, t = pairs[i]
            source[r, :len(s)] = torch.tensor(s)
            target_in[r, :len(t) + 1] = torch.tensor([BOS] + t)
            target_out[r, :len(t) + 1] = torch.tensor(t + [EOS])
            tokens += len(s) + len(t) + 1
        out.append((source, target_in, target_out, tokens))
    return out


def batch_loss(model, batch, smoothing):
    source, target_in, target_out, _ = batch
    states = model(source, target_in).reshape(-1, D)
    targets = target_out.reshape(-1)
    real = targets.ne(PAD).nonzero().squeeze(1)
    logits = F.linear(states.index_select(0, real), model.embedding.weight)
    return F.cross_entropy(logits, targets.index_select(0, real), label_smoothing=smoothing,
                           reduction='sum'), real.numel()


start = time.perf_counter()
with Timed('reading ids'):
    train, valid = read_ids(IDS)
torch.manual_seed(1)
model = Translator()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-9)
os.makedirs(OUT, exist_ok=True)
step, trained, best = 0, 0, float('inf')
for epoch in range(1, EPOCHS + 1):
    with Timed('batching'):
        batches = make_batches(train, random.Random(epoch))
    warmup = max(1, min(4000, len(batches)))
    model.train()
    for batch in batches:
        step += 1
        for group in optimizer.param_groups:
            group['lr'] = 1e-3 * min(step / warmup, math.sqrt(warmup / step))
        with Timed('forward + loss'):
            optimizer.zero_grad()
            loss, targets = batch_loss(model, batch, 0.1)
        with Timed('backward'):
            (loss / targets).backward()
        with Timed('clip + optimizer'):
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        trained += batch[3]
    with Timed('validation'):
        model.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for batch in make_batches(valid, None):
                loss, targets = batch_loss(model, batch, 0.0)
                total += loss.item()
                count += targets
        valid_loss = total / max(count, 1)
    with Timed('checkpoints'):
        if valid_loss < best:
            best = valid_loss
            torch.save(model.state_dict(), os.path.join(OUT, 'best.pt'))
        torch.save(model.state_dict(), os.path.join(OUT, 'last.pt'))
        torch.save(optimizer.state_dict(), os.path.join(OUT, 'optimizer.pt'))
seconds = time.perf_counter() - start
print(f"peer tokens {trained} seconds {seconds:.3f} valid_loss {valid_loss:.4f} phases " +
      ','.join(f"{name}={value:.3f}" for name, value in phases.items()), flush=True)
