"""Hot topics: Chinese word segmentation (jieba) with a stop-word list and a mining dictionary."""
import functools
import threading
from collections import Counter

# Words of the trade that jieba would otherwise split.
DOMAIN_WORDS = ("井下", "劳保", "班中餐", "三违", "综采", "掘进", "工作面", "瓦斯", "皮带机", "夜班津贴",
                "劳保鞋", "通勤班车", "安全帽", "矿灯", "更衣室", "澡堂", "职工食堂", "绩效工资", "工资条",
                "单身公寓", "检修班", "餐箱", "保温餐箱", "热水", "宽带", "口罩", "入学", "帮扶", "交接班", "班前会", "探放水", "顶板", "采煤机", "支架", "安全培训",
                "技能鉴定", "职称评审", "带薪休假", "体检", "取暖费", "防暑降温", "入井", "升井", "区队")
STOP_WORDS = set("""
的 了 是 在 和 有 我 我们 你 他 她 它 这 那 就 也 都 而 及 与 着 或 一个 没有 不是 希望 建议 能否 能不能 可以
是否 什么 怎么 如何 为什么 问题 情况 现在 目前 经常 一些 有些 还是 还有 已经 因为 所以 但是 如果 或者 以及 对于
关于 进行 需要 应该 一下 一直 时候 比较 非常 太 很 更 最 多 少 大 小 个 次 些 把 被 让 给 从 到 向 对 为 以 于 上
下 中 里 后 前 内 外 能 会 要 想 请 再 又 才 只 还 吧 吗 呢 啊 呀 哦 嗯 么 不 没 无 该 各 每 其 之 等 等等 方面 相关
同志 领导 公司 单位 矿上 反映 提出 解决 一点 一样 这个 那个 这些 那些 今年 去年 最近 时间 自己 大家 职工 员工
困难 不全 缺货 标准 数量 条件 地方 依据 情况下 有关
""".split())

_lock = threading.Lock()
_ready = False


def _jieba():
    global _ready
    import jieba
    with _lock:
        if not _ready:
            jieba.setLogLevel(60)
            for word in DOMAIN_WORDS:
                jieba.add_word(word, freq=20000, tag="n")
            _ready = True
    return jieba


# Topics are things: nouns, names of places and organisations, verbal nouns (培训, 补贴).
TOPIC_FLAGS = {"n", "nz", "nt", "ns", "nl", "ng", "vn", "an"}


@functools.lru_cache(maxsize=20000)
def segment(text):
    """The topic words of a text: nouns and verbal nouns, no stop words, no single characters.

    Plain segmentation plus a dictionary look-up of each word's part of speech is ten times
    faster than jieba.posseg; words the dictionary does not know (found by the HMM, seldom
    new nouns) are dropped: on short demands they are mostly fragments.
    """
    segmenter = _jieba()
    from jieba import posseg
    tags = posseg.dt.word_tag_tab
    user_tags = segmenter.dt.user_word_tag_tab
    words = []
    for word in segmenter.lcut(text or ""):
        if len(word) < 2 or word in STOP_WORDS or not word.strip() or word.isascii():
            continue
        if user_tags.get(word) or tags.get(word) in TOPIC_FLAGS:
            words.append(word)
    return tuple(words)


def hot_topics(texts, top=10):
    """[(word, number of texts mentioning it)] ordered by that number, then by the word."""
    counts = Counter()
    for text in texts:
        counts.update(set(segment(text)))
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:top]
