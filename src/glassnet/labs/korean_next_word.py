"""Next-word generation from a three-line Korean text, with a SimpleRNN and an LSTM
(COURSE.md section 5).

The text is three proverb-like lines:

    경마장에 있는 말이 뛰고 있다        (at the racecourse, a horse is running)
    그의 말이 법이다                    (his word is law)
    가는 말이 고와야 오는 말이 곱다      (kind words out, kind words back)

"말이" (a horse / a word) appears four times, so Keras 2's ``Tokenizer`` gives it index 1; the
other 10 words follow in the order they first appear: 11 words, plus index 0 for padding, so
the vocabulary has 12 entries.

Every line gives one training sample per prefix of two words or more: "경마장에 있는" ->
"경마장에 있는 말이" -> ... 4 + 2 + 5 = 11 samples. They are padded in front with 0 to the
longest length, 6; the last index of each row is the label (the next word) and the 5 before it
the input. The model reads the 5 indices and puts a softmax over the 12 entries:

    Embedding(12, 10)   ->   SimpleRNN(32)  (or LSTM(32))   ->   Dense(12, softmax)

To generate, we start from a word, predict the most likely next word (argmax), append it, and
predict again from the longer text, a given number of times. The model has to use the context:
after "말이" comes "뛰고", "법이다", "고와야" or "곱다", depending on what came before.

Plots: matplotlib's own fonts have no Hangul. If a font with Hangul is installed (Noto Sans
CJK, Nanum Gothic, Malgun Gothic, AppleGothic...) the plots label words in Korean; otherwise
they use the word indices (the printed tokenizer table says which word each is).
"""
from __future__ import annotations

import functools

import numpy as np

import glassnet as gn
from glassnet import backend, layers
from glassnet.labs.base import Lab, Param, register
from glassnet.plotting import plot_curves
from glassnet.preprocessing.sequence import pad_sequences
from glassnet.preprocessing.text import Tokenizer

TEXT = """경마장에 있는 말이 뛰고 있다
그의 말이 법이다
가는 말이 고와야 오는 말이 곱다
"""

# (first word, number of words to generate after it), as in the course
STARTS = [("경마장에", 4), ("그의", 2), ("가는", 5)]


def prefix_samples(tokenizer, text: str) -> list:
    """Every prefix of two words or more of every line, as index lists."""
    samples = []
    for line in text.split("\n"):
        ids = tokenizer.texts_to_sequences([line])[0]
        samples.extend(ids[:end] for end in range(2, len(ids) + 1))
    return samples


def generate(model, tokenizer, start: str, n: int, maxlen: int):
    """``start`` followed by ``n`` words, each the argmax of the model's next-word softmax given
    the text so far (padded in front to ``maxlen``). Returns the sentence and the softmax rows."""
    words, rows = start, []
    for _ in range(n):
        ids = pad_sequences([tokenizer.texts_to_sequences([words])[0]], maxlen=maxlen, padding="pre")
        probs = model.predict(ids, verbose=0)[0]
        rows.append(probs)
        words += " " + tokenizer.index_word[int(probs.argmax())]
    return words, np.array(rows)


def _has_hangul(path) -> bool:
    from matplotlib.ft2font import FT2Font
    try:
        return ord("말") in FT2Font(str(path)).get_charmap()
    except Exception:  # noqa: BLE001 - an unreadable font file is just not a candidate
        return False


@functools.lru_cache(maxsize=1)
def hangul_font():
    """The file of an installed font that has Hangul glyphs, or None.

    Looks through matplotlib's font list for a font file whose character map holds '말'
    ("Last Resort" fonts are skipped: they map every character to a placeholder box). matplotlib
    keeps that list in a cache made when it first ran, so a font installed since is not in it:
    then the system's font folders are searched too.

    Use it for the texts that hold Korean only (``fontproperties=FontProperties(fname=...)``):
    such fonts often lack symbols that matplotlib's ticks use, such as the minus sign U+2212.
    """
    from matplotlib import font_manager
    likely = ("nanumgothic", "nanum gothic", "noto sans cjk", "notosanscjk", "malgun", "applegothic", "nanum", "cjk",
              "gothic", "gulim", "dotum", "batang", "baekmuk", "hangul", "korea")

    def rank(name):  # the likeliest Korean fonts first, regular before bold
        name = name.lower()
        return (next((k for k, word in enumerate(likely) if word in name), len(likely)), "bold" in name)

    fonts = sorted(font_manager.fontManager.ttflist, key=lambda f: rank(f.name + " " + f.fname))
    known = set()
    for font in fonts:
        if font.fname not in known and "last resort" not in font.name.lower() and _has_hangul(font.fname):
            return font.fname
        known.add(font.fname)
    for path in sorted(font_manager.findSystemFonts(), key=rank):
        if path not in known and "lastresort" not in path.lower().replace(" ", "") and _has_hangul(path):
            return path
    return None


def build(kind: str, vocab: int, maxlen: int, embed: int, units: int):
    rnn = layers.SimpleRNN(units) if kind == "SimpleRNN" else layers.LSTM(units)
    return gn.Sequential([layers.Input((maxlen,), dtype="int32"), layers.Embedding(vocab, embed), rnn,
                          layers.Dense(vocab, activation="softmax")])


@register
class KoreanNextWordLab(Lab):
    name = "korean-next-word"
    title = "Next-word generation from three Korean lines: SimpleRNN and LSTM"
    section = "5"
    shows = "Tokenizer (12 entries, '말이' = 1), 11 padded prefixes; both RNNs generate '경마장에 있는 말이 뛰고 있다'"
    typical_time = "2 s"
    params = {
        "epochs": Param(200, quick=120, help="training epochs (full batch: 11 samples)"),
        "lr": Param(0.01, help="Adam learning rate"),
        "embed": Param(10, help="embedding size"),
        "units": Param(32, help="recurrent units"),
        "korean_font": Param(True, help="label plots in Korean when a Hangul font is installed"),
    }

    def run(self, ctx):
        p = ctx.params
        tokenizer = Tokenizer()
        tokenizer.fit_on_texts([TEXT])
        vocab = len(tokenizer.word_index) + 1
        ctx.table(["word", "index", "count"], [("(padding)", 0, "")] +
                  [(w, i, tokenizer.word_counts[w]) for w, i in tokenizer.word_index.items()],
                  title=f"tokenizer: {vocab} entries with the padding index 0")
        most = max(tokenizer.word_counts, key=tokenizer.word_counts.get)
        ctx.report("vocabulary size (with padding 0)", vocab, course=12)
        ctx.report("most frequent word", f"{most} (index {tokenizer.word_index[most]})", course="말이 (index 1)",
                   note=f"{tokenizer.word_counts[most]} times")

        samples = prefix_samples(tokenizer, TEXT)
        maxlen = max(len(s) for s in samples)
        padded = pad_sequences(samples, maxlen=maxlen, padding="pre")
        x, y = padded[:, :-1], padded[:, -1]
        ctx.table(["sample", "padded", "input words", "next word (label)"],
                  [(k, padded[k].tolist(), " ".join(tokenizer.index_word[int(i)] for i in row[:-1] if i),
                    tokenizer.index_word[int(row[-1])]) for k, row in enumerate(padded)],
                  title=f"{len(samples)} prefix samples, padded in front to length {maxlen}")
        ctx.report("samples x length", f"{padded.shape[0]} x {padded.shape[1]}", course="11 x 6")

        histories, generated, gen_probs = {}, {}, {}
        for k, kind in enumerate(["SimpleRNN", "LSTM"]):
            backend.set_seed(ctx.seed * 100 + k)  # each model's start depends on the seed only, not on the other
            model = build(kind, vocab, maxlen - 1, p["embed"], p["units"])
            model.compile(optimizer=gn.optimizers.Adam(learning_rate=p["lr"]),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            history = model.fit(x, y, epochs=p["epochs"], batch_size=len(x), verbose=0)
            histories[kind] = history.history["loss"]
            train_acc = float(np.mean(model.predict(x, verbose=0).argmax(axis=-1) == y))
            rows = []
            for start, n in STARTS:
                sentence, probs = generate(model, tokenizer, start, n, maxlen - 1)
                generated[kind, start] = sentence
                gen_probs[kind, start] = probs
                rows.append((start, n, sentence, " ".join(f"{q.max():.2f}" for q in probs)))
            ctx.table(["start", "words", "generated", "p(chosen word) at each step"], rows,
                      title=f"{kind}: {model.count_params()} parameters, after {p['epochs']} epochs: "
                            f"loss {histories[kind][-1]:.4f}, training accuracy {train_acc:.3f}")
            ctx.report(f"{kind} training accuracy", train_acc, note=f"{len(y)} next-word labels")
            for start, _ in STARTS:
                course = {"경마장에": "경마장에 있는 말이 뛰고 있다"}.get(start)
                ctx.report(f"{kind} from {start}", generated[kind, start], course=course,
                           note="" if course else "the text's line: " + next(
                               line for line in TEXT.splitlines() if line.startswith(start)))

        import matplotlib.pyplot as plt
        from matplotlib.colors import LogNorm
        from matplotlib.font_manager import FontProperties
        path = hangul_font() if p["korean_font"] else None
        font = FontProperties(fname=path) if path else None   # for the Korean texts only
        if font is None:
            ctx.print("no installed font has Hangul glyphs (or korean_font=False): plots label words by index; "
                      "install one (e.g. fonts-nanum or fonts-noto-cjk) for Korean labels")
        ctx.report("plot font", font.get_name() if font else "none with Hangul: words shown as indices")
        names = [tokenizer.index_word.get(i, "(pad)") if font else str(i) for i in range(vocab)]
        fig, axes = plt.subplots(1, 3, figsize=(17, 4.6), gridspec_kw={"width_ratios": [1.1, 1, 1]})
        plot_curves({k: (np.arange(1, len(v) + 1), v) for k, v in histories.items()}, xlabel="epoch",
                    ylabel="cross-entropy", logy=True, ax=axes[0], title="training loss")
        start, n = STARTS[0]
        for ax, kind in zip(axes[1:], histories):
            probs = gen_probs[kind, start]                  # (n steps, vocab)
            # log colour scale: the chosen word is near 1, and the runners-up still show
            im = ax.imshow(np.clip(probs.T, 1e-5, 1), cmap="Blues", norm=LogNorm(1e-5, 1), aspect="auto")
            chosen = generated[kind, start].split()[1:]
            ax.set_xticks(range(n), [f"step {t + 1}\n" + (w if font else str(tokenizer.word_index[w]))
                                     for t, w in enumerate(chosen)], fontproperties=font)
            ax.set_yticks(range(vocab), names, fontproperties=font)
            ax.set_ylabel("next word" + ("" if font else " (index; see the tokenizer table)"))
            if font:
                ax.set_title(f"{kind}: next-word softmax, generating from {start}", fontproperties=font)
            else:
                ax.set_title(f"{kind}: next-word softmax, generating from word {tokenizer.word_index[start]}")
        fig.colorbar(im, ax=axes[2], fraction=0.046, label="probability (log scale)")
        fig.tight_layout()
        ctx.savefig(fig, "korean_next_word")
