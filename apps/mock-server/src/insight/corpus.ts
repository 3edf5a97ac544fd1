import { createRandom } from '../core/random.js';
import type { InsightPost } from './post.js';

/** How many days of history the default corpus spans: the whole backtrack window. */
export const CORPUS_DEFAULT_DAYS = 90;

/** Options of {@link generateCorpus}. */
export interface CorpusOptions {
  /** Seed of the generator: the same seed, size, span and end always give the same posts. */
  seed: number;
  /** Number of posts to generate. */
  size: number;
  /** Newest publication time, epoch ms (usually the emulator clock's now). */
  end: number;
  /**
   * Span of publication times before `end`, in days.
   * @default 90
   */
  days?: number;
  /**
   * Prefix of generated post ids, so that several generators (history, live firehose) never collide.
   * @default '7'
   */
  idPrefix?: string;
  /** Index of the first post: a resumed generator continues the same id sequence. @default 0 */
  firstIndex?: number;
}

const DAY_MS = 86_400_000;

/** Real prefecture-level cities with their province, so that `based_location` rules resolve. */
const PLACES: readonly (readonly [province: string, city: string, english: string])[] = [
  ['北京市', '北京市', 'Beijing'],
  ['上海市', '上海市', 'Shanghai'],
  ['广东省', '广州市', 'Guangzhou'],
  ['广东省', '深圳市', 'Shenzhen'],
  ['浙江省', '杭州市', 'Hangzhou'],
  ['四川省', '成都市', 'Chengdu'],
  ['重庆市', '重庆市', 'Chongqing'],
  ['湖北省', '武汉市', 'Wuhan'],
  ['陕西省', '西安市', "Xi'an"],
  ['江苏省', '南京市', 'Nanjing'],
  ['江苏省', '苏州市', 'Suzhou'],
  ['湖南省', '长沙市', 'Changsha'],
  ['福建省', '厦门市', 'Xiamen'],
  ['云南省', '昆明市', 'Kunming'],
  ['山东省', '青岛市', 'Qingdao'],
  ['天津市', '天津市', 'Tianjin'],
];

const POI_KINDS = ['咖啡馆', '火锅店', '书店', '公园', '博物馆', '商场', '夜市', '露营地', '健身房', '面馆'];
const POI_BRANDS = ['山野', '老街', '半岛', '云间', '小巷', '星河', '拾光', '青禾', '南风', '鹿角'];

/** Topics: a Chinese and an English keyword set, each with its tags. */
const TOPICS: readonly { zh: readonly string[]; en: readonly string[]; tags: readonly string[] }[] = [
  { zh: ['咖啡', '拿铁', '手冲'], en: ['coffee', 'latte', 'pour-over'], tags: ['美食', '咖啡'] },
  { zh: ['火锅', '烧烤', '小吃'], en: ['hotpot', 'barbecue', 'street food'], tags: ['美食', '探店'] },
  { zh: ['露营', '徒步', '登山'], en: ['camping', 'hiking', 'trail'], tags: ['户外', '旅行'] },
  { zh: ['新能源汽车', '电动车', '充电桩'], en: ['EV', 'electric car', 'charging'], tags: ['汽车', '科技'] },
  { zh: ['手机', '耳机', '相机'], en: ['phone', 'earbuds', 'camera'], tags: ['数码', '科技'] },
  { zh: ['健身', '跑步', '瑜伽'], en: ['workout', 'running', 'yoga'], tags: ['运动', '健康'] },
  { zh: ['猫咪', '狗狗', '萌宠'], en: ['cat', 'puppy', 'pets'], tags: ['宠物', '萌宠'] },
  { zh: ['穿搭', '护肤', '口红'], en: ['outfit', 'skincare', 'lipstick'], tags: ['时尚', '美妆'] },
  { zh: ['考研', '英语', '读书'], en: ['study', 'English', 'books'], tags: ['教育', '学习'] },
  { zh: ['火山', '温泉', '海边'], en: ['volcano', 'hot spring', 'beach'], tags: ['旅行', '风景'] },
  { zh: ['家常菜', '烘焙', '早餐'], en: ['home cooking', 'baking', 'breakfast'], tags: ['美食', '生活'] },
  { zh: ['游戏', '电竞', '手游'], en: ['gaming', 'esports', 'mobile game'], tags: ['游戏', '娱乐'] },
];

const ZH_TITLES = [
  (k: string, c: string) => `${c}${k}探店｜这家真的值得排队`,
  (k: string, c: string) => `第一次在${c}体验${k}，太惊喜了！`,
  (k: string) => `${k}新手入门，看完少走三年弯路`,
  (k: string, c: string) => `周末${c}${k}攻略，收藏起来慢慢看`,
  (k: string) => `关于${k}，说点大实话`,
  (k: string) => `${k}日常vlog｜普通人的快乐很简单`,
  (k: string, c: string) => `在${c}住了五年，最推荐的${k}都在这里`,
  (k: string) => `百元预算挑战${k}，结果出乎意料`,
];
const EN_TITLES = [
  (k: string, c: string) => `Best ${k} in ${c}: my honest review`,
  (k: string) => `A beginner's guide to ${k}`,
  (k: string, c: string) => `24 hours of ${k} in ${c}`,
  (k: string) => `Why everyone is talking about ${k} this week`,
  (k: string, c: string) => `${c} ${k} tour, worth the hype?`,
];
const ZH_SPEECH = [
  '大家好，欢迎来到我的频道',
  '今天带大家看看',
  '说实话这个价格还是挺良心的',
  '记得点赞关注不迷路',
  '我们下期再见',
  '这个地方人不多环境也很好',
  '有什么问题可以在评论区留言',
  '老规矩先说结论',
  '整体体验下来非常满意',
  '身边的好人好事也值得记录',
];
const EN_SPEECH = [
  'hey guys welcome back',
  'today we are checking out',
  'honestly the price is pretty fair',
  "don't forget to like and subscribe",
  'see you in the next one',
  'it was not crowded at all',
  'let me know in the comments',
];
const OCR_TEXTS = [
  '限时优惠',
  '建议收藏',
  '真实测评',
  '附详细地址',
  '第2期',
  'NEW',
  '干货分享',
  '人均50元',
  'HOT',
  '必看',
];
const AUTHORS = ['小鹿', '阿杰', '橙子', '大飞', '木木', 'Lily', 'Max', '米粒', '老王', '豆豆'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Generates a deterministic synthetic corpus, oldest first: bilingual titles, speech (`asr`) and on-screen text
 * (`ocr`) around a topic, tags, a point of interest in a real city, and about 4 % deleted posts (status 0 or 2) that
 * keep their indexed texts (the emulator never serves them) so that matching rules meet them as gaps.
 *
 * Yields one post at a time: a million posts never sit in memory together.
 */
export function* generateCorpus(options: CorpusOptions): Generator<InsightPost> {
  const days = options.days ?? CORPUS_DEFAULT_DAYS;
  const prefix = options.idPrefix ?? '7';
  const first = options.firstIndex ?? 0;
  const random = createRandom(`${options.seed}:${prefix}:${first}`);
  const span = days * DAY_MS;
  const step = options.size > 0 ? span / options.size : 0;
  const seedTag = pad(Math.abs(options.seed) % 10_000, 4);
  for (let i = 0; i < options.size; i++) {
    const index = first + i;
    const publishTime = Math.floor(options.end - span + (i + random()) * step);
    yield generatePost(random, `${prefix}${seedTag}${pad(index, 14)}`, publishTime);
  }
}

/** One synthetic post published at `publishTime`, drawn from `random`. */
export function generatePost(random: () => number, postId: string, publishTime: number): InsightPost {
  const topic = pick(random, TOPICS);
  const [province, city, cityEn] = pick(random, PLACES);
  const english = random() < 0.25;
  const keyword = english ? pick(random, topic.en) : pick(random, topic.zh);
  const title = english ? pick(random, EN_TITLES)(keyword, cityEn) : pick(random, ZH_TITLES)(keyword, city);
  const speech = english ? EN_SPEECH : ZH_SPEECH;
  const asr = `${pick(random, speech)}，${keyword}，${pick(random, speech)}，${pick(random, speech)}`;
  const ocr = `${pick(random, english ? topic.en : topic.zh)} ${pick(random, OCR_TEXTS)}`;
  const roll = random();
  const status = roll < 0.03 ? 0 : roll < 0.04 ? 2 : 1;
  const originId = `${7_000_000_000 + Math.floor(random() * 999_999_999)}${pad(Math.floor(random() * 1e9), 9)}`;
  const author = `${pick(random, AUTHORS)}${english ? ' travels' : '的日常'}`;
  const post: InsightPost = {
    postId,
    originId,
    status,
    publishTime,
    createTime: publishTime + Math.floor(random() * 300_000),
    updateTime: publishTime + Math.floor(random() * 3_600_000),
    title,
    asr,
    ocr,
    tags: random() < 0.5 ? [...topic.tags] : [topic.tags[0]!],
    basedLocation: `${province}${province === city ? '' : city}`,
    author,
    anchor: `dy_${originId.slice(-8)}`,
    url: `https://www.douyin.com/video/${originId}`,
    domain: 'www.douyin.com',
    mainDomain: 'douyin.com',
  };
  if (random() < 0.6) {
    post.poiName = `${pick(random, POI_BRANDS)}${pick(random, POI_KINDS)}（${city}店）`;
    post.poiCityName = city;
  }
  return post;
}
