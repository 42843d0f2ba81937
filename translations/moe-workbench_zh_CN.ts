<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutBox</name>
    <message>
        <location filename="../widgets/AboutBox.cpp" line="+1"/>
        <source>&lt;h3&gt;MoE Workbench %1&lt;/h3&gt;&lt;p&gt;See and feel the MoEfication of a German→English Transformer: profile its feed-forward layers, split them into experts, route tokens to a few of them, and measure what that does to speed and translation quality.&lt;/p&gt;&lt;p&gt;Licence: GNU GPL version 3 or later.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MoE 工作台 %1&lt;/h3&gt;&lt;p&gt;直观体验德→英 Transformer 的 MoE 化：分析其前馈层，将神经元划分为专家，把每个词元路由到其中少数几个专家，并测量这对速度和翻译质量的影响。&lt;/p&gt;&lt;p&gt;许可证：GNU GPL 第 3 版或更高版本。&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>About MoE Workbench</source>
        <translation>关于 MoE 工作台</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&lt;p&gt;Qt %1 (built with %2)&lt;br&gt;LibTorch %3&lt;br&gt;METIS %4&lt;br&gt;QCustomPlot %5&lt;/p&gt;</source>
        <translation>&lt;p&gt;Qt %1（构建时为 %2）&lt;br&gt;LibTorch %3&lt;br&gt;METIS %4&lt;br&gt;QCustomPlot %5&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>moewb::gui::ActiveExpertsControl</name>
    <message>
        <source>fixed K</source>
        <translation>固定 K</translation>
    </message>
    <message>
        <source>dynamic (τ)</source>
        <translation>动态 (τ)</translation>
    </message>
    <message>
        <source>Fixed K: every token runs K experts in every layer. Dynamic: each token takes the fewest experts whose share of the router&apos;s mass reaches τ, at most K, so easy tokens run fewer experts than hard ones.</source>
        <translation>固定 K：每个词元在每一层运行 K 个专家。动态：每个词元选取最少的专家，使其在路由器质量中的占比达到 τ（至多 K 个），因此简单的词元比困难的词元运行更少的专家。</translation>
    </message>
    <message>
        <source>at most K:</source>
        <translation>至多 K：</translation>
    </message>
    <message>
        <source>The most experts a token may take in dynamic mode</source>
        <translation>动态模式下一个词元最多可选取的专家数</translation>
    </message>
    <message>
        <source>Active experts of all experts, or the threshold τ and the most experts a token may take</source>
        <translation>全部专家中的激活专家数，或阈值 τ 与一个词元最多可选取的专家数</translation>
    </message>
    <message>
        <source>Threshold τ: each token takes experts, best first, until they hold this share of the router&apos;s mass (at most K); lower τ, less compute</source>
        <translation>阈值 τ：每个词元按得分从高到低选取专家，直到它们占路由器质量的这一比例（至多 K 个）；τ 越低，计算量越少</translation>
    </message>
    <message>
        <source>Active experts K per token and layer: fewer experts, less feed-forward compute</source>
        <translation>每个词元每层的激活专家数 K：专家越少，前馈计算量越少</translation>
    </message>
    <message>
        <source>K = –</source>
        <translation>K = –</translation>
    </message>
    <message>
        <source>τ = %1, K ≤ %2 of %3</source>
        <translation>τ = %1，K ≤ %2 / %3</translation>
    </message>
    <message>
        <source>K = %1 of %2</source>
        <translation>K = %1 / %2</translation>
    </message>
</context>
<context>
    <name>moewb::gui::CoActivationHeatmap</name>
    <message>
        <location filename="../widgets/CoActivationHeatmap.cpp" line="+1"/>
        <source>Preparing the co-activation map was cancelled.</source>
        <translation>共激活图的准备已取消。</translation>
    </message>
    <message>
        <location filename="../widgets/CoActivationHeatmap.cpp" line="+1"/>
        <source>%1: preparing the co-activation map…</source>
        <translation>%1：正在准备共激活图…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preparing the co-activation map</source>
        <translation>正在准备共激活图</translation>
    </message>
    <message>
        <location filename="../widgets/CoActivationHeatmap.cpp" line="+69"/>
        <source>shared</source>
        <translation>共享</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E%1</source>
        <translation>E%1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No profile yet — run the Profile step&lt;br&gt;&lt;small&gt;Then this view shows how often each pair of neurons fires on the same token.&lt;/small&gt;</source>
        <translation>尚无分析结果——请运行“分析”步骤&lt;br&gt;&lt;small&gt;之后此视图将显示每对神经元在同一词元上同时激活的频率。&lt;/small&gt;</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The heatmap shows how often two neurons fire on the same token</source>
        <translation>热力图显示两个神经元在同一词元上同时激活的频率</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The feed-forward layer whose co-activation is shown</source>
        <translation>显示其共激活的前馈层</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reorder the neurons expert by expert so that each expert is a block on the diagonal</source>
        <translation>按专家重新排列神经元，使每个专家成为对角线上的一个块</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Side by side: unordered vs ordered</source>
        <translation>并排：原始顺序与重排顺序</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show the original neuron order beside the reordered one</source>
        <translation>在重排后的矩阵旁显示原始神经元顺序</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reset zoom</source>
        <translation>重置缩放</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the whole matrix again (zoom with the wheel, pan by dragging)</source>
        <translation>重新显示整个矩阵（滚轮缩放，拖动平移）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Within-expert share: co-activation between neurons of the same expert, of all co-activation between different neurons; higher means experts that fire together</source>
        <translation>专家内占比：同一专家内神经元之间的共激活占不同神经元之间全部共激活的比例；越高说明专家内的神经元越倾向于一起激活</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Order by:</source>
        <translation>排序依据：</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Tokens on which both fire (log scale)</source>
        <translation>两者同时激活的词元数（对数刻度）</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Co-activation counts: hover a cell for its neurons, wheel to zoom, drag to pan, right-click to export</source>
        <translation>共激活计数：悬停单元格查看对应神经元，滚轮缩放，拖动平移，右键导出</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+87"/>
        <source>Co-activation heatmap</source>
        <translation>共激活热力图</translation>
    </message>
    <message>
        <location line="-85"/>
        <location line="+87"/>
        <source>Co-activation, original and expert order</source>
        <translation>共激活：原始顺序与专家顺序</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>None (original order)</source>
        <translation>无（原始顺序）</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>Partition “%1” does not fit layer %2 (d_ff %3); showing the original order. Re-run the Partition step for this model.</source>
        <translation>划分“%1”与第 %2 层（d_ff %3）不匹配；显示原始顺序。请为此模型重新运行“划分”步骤。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>%1: %2 neurons over %3 tokens</source>
        <translation>%1：%2 个神经元，共 %3 个词元</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>; %1 experts of %2 — within-expert co-activation %3% (a random split gives about %4%)</source>
        <translation>；%1 个专家，每个 %2 个神经元——专家内共激活 %3%（随机划分约为 %4%）</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Neuron (grouped by expert)</source>
        <translation>神经元（按专家分组）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Neuron</source>
        <translation>神经元</translation>
    </message>
    <message>
        <location line="+78"/>
        <source>Neuron co-activation — %1</source>
        <translation>神经元共激活——%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Neuron co-activation — %1, experts of “%2”</source>
        <translation>神经元共激活——%1，“%2”的专家</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Neuron co-activation — %1 (no partition chosen)</source>
        <translation>神经元共激活——%1（未选择划分）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Neuron co-activation — %1: original order (left), experts of “%2” (right)</source>
        <translation>神经元共激活——%1：原始顺序（左），“%2”的专家（右）</translation>
    </message>
    <message>
        <location line="+19"/>
        <location line="+54"/>
        <source>Expert %1</source>
        <translation>专家 %1</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Neuron %1</source>
        <translation>神经元 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Neurons %1 and %2</source>
        <translation>神经元 %1 和 %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Experts %1 and %2</source>
        <translation>专家 %1 和 %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Fires on %1 of %2 tokens</source>
        <translation>在 %2 个词元中的 %1 个上激活</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Both fire on %1 of %2 tokens</source>
        <translation>两者在 %2 个词元中的 %1 个上同时激活</translation>
    </message>
</context>
<context>
    <name>moewb::gui::DemoSentenceModel</name>
    <message>
        <location filename="../widgets/DemoSentenceModel.cpp" line="+30"/>
        <source>Built-in demo sentence</source>
        <translation>内置演示句子</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Added by you</source>
        <translation>由你添加</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Read from a parallel file</source>
        <translation>读自平行文本文件</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>no reference (BLEU is not shown)</source>
        <translation>无参考译文（不显示 BLEU）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1
Reference: %2</source>
        <translation>%1
参考译文：%2</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>The built-in demo sentences could not be read: %1</source>
        <translation>无法读取内置演示句子：%1</translation>
    </message>
</context>
<context>
    <name>moewb::gui::ExpertGraphView</name>
    <message>
        <location filename="../widgets/ExpertGraphView.cpp" line="+1"/>
        <source>Preparing the expert graph was cancelled.</source>
        <translation>专家图的准备已取消。</translation>
    </message>
    <message>
        <location filename="../widgets/ExpertGraphView.cpp" line="+1"/>
        <source>%1: preparing the expert graph…</source>
        <translation>%1：正在准备专家图…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preparing the expert graph</source>
        <translation>正在准备专家图</translation>
    </message>
    <message>
        <location filename="../widgets/ExpertGraphView.cpp" line="+46"/>
        <source>Graphviz could not start (is libgvc installed?)</source>
        <translation>Graphviz 无法启动（是否已安装 libgvc？）</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Graphviz could not lay out the graph (neato failed)</source>
        <translation>Graphviz 无法完成图布局（neato 失败）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The expert graph needs a profile and a partition of the model</source>
        <translation>专家图需要模型的分析结果和划分</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The feed-forward layer whose experts are shown</source>
        <translation>显示其专家的前馈层</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The partition whose experts are the nodes</source>
        <translation>以其专家作为节点的划分</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Neurons</source>
        <translation>神经元数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activation mass</source>
        <translation>激活质量</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Node area by the expert&apos;s neuron count, or by its activation mass (how often its neurons fire in total)</source>
        <translation>节点面积按专家的神经元数，或按其激活质量（其神经元激活的总次数）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Hide edges weaker than this share of the strongest edge</source>
        <translation>隐藏权重低于最强边此比例的边</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+419"/>
        <source>Edges ≥ %1%</source>
        <translation>边 ≥ %1%</translation>
    </message>
    <message>
        <location line="-414"/>
        <source>Edge weight: co-activation between the neurons of two experts, relative to the most co-activated pair of experts</source>
        <translation>边权重：两个专家的神经元之间的共激活，相对于共激活最强的一对专家</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Partition:</source>
        <translation>划分：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Node size:</source>
        <translation>节点大小：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Experts and how their neurons fire together; click an expert to show its block in the heatmap, right-click to export</source>
        <translation>各专家及其神经元的共同激活情况；点击专家可在热力图中显示其块，右键导出</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+74"/>
        <source>Expert graph</source>
        <translation>专家图</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>Partition “%1” does not fit layer %2 (d_ff %3) of this profile. Re-run the Partition step for this model.</source>
        <translation>划分“%1”与此分析结果的第 %2 层（d_ff %3）不匹配。请为此模型重新运行“划分”步骤。</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>&lt;br&gt;&lt;small&gt;Then this view shows the experts of each layer and how often their neurons fire together.&lt;/small&gt;</source>
        <translation>&lt;br&gt;&lt;small&gt;之后此视图将显示每层的专家及其神经元一起激活的频率。&lt;/small&gt;</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No profile yet — run the Profile step</source>
        <translation>尚无分析结果——请运行“分析”步骤</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No partition yet — run the Partition step</source>
        <translation>尚无划分——请运行“划分”步骤</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1 experts of %2 neurons in %3; edge weight = co-activation between two experts&apos; neurons, relative to the strongest pair</source>
        <translation>%3 中有 %1 个专家，每个 %2 个神经元；边权重 = 两个专家的神经元之间的共激活，相对于最强的一对</translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>; %n shared neuron(s) not drawn</source>
        <translation>
            <numerusform>；未绘制 %n 个共享神经元</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Experts of “%1” — %2</source>
        <translation>“%1”的专家——%2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source> — experts are placed on a circle instead.</source>
        <translation>——专家改为沿圆周排列。</translation>
    </message>
    <message>
        <location line="+48"/>
        <location line="+6"/>
        <source>E%1</source>
        <translation>E%1</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Node area: neurons of the expert</source>
        <translation>节点面积：专家的神经元数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Node area: activation mass</source>
        <translation>节点面积：激活质量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1
Edge width: co-activation between experts (%2 of %3 edges ≥ %4% of the strongest shown)</source>
        <translation>%1
边宽：专家之间的共激活（%3 条边中有 %2 条 ≥ 所示最强边的 %4%）</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>Expert E%1: %2 neurons
Activation mass %3 (%4% of the layer)</source>
        <translation>专家 E%1：%2 个神经元
激活质量 %3（占该层的 %4%）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>
Strongest link: E%1 (%2)</source>
        <translation>
最强连接：E%1（%2）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>
Click to show its block in the heatmap</source>
        <translation>
点击可在热力图中显示其块</translation>
    </message>
</context>
<context>
    <name>moewb::gui::ExpertLoadPlot</name>
    <message>
        <source>Share of held-out tokens that run each expert of the picked layer at K (the dashed line is the even share K/N), and the coefficient of variation of those shares per layer: 0 is perfectly even; a high value means a few experts do most of the work</source>
        <translation>在 K 下所选层中运行每个专家的留出词元所占比例（虚线为均匀比例 K/N），以及各层这些比例的变异系数：0 表示完全均匀；数值越高表示少数专家承担了大部分工作</translation>
    </message>
    <message>
        <source>Expert</source>
        <translation>专家</translation>
    </message>
    <message>
        <source>Share of tokens</source>
        <translation>词元占比</translation>
    </message>
    <message>
        <source>Load CV</source>
        <translation>负载变异系数</translation>
    </message>
    <message>
        <source>share of tokens</source>
        <translation>词元占比</translation>
    </message>
    <message>
        <source>even share K/N</source>
        <translation>均匀比例 K/N</translation>
    </message>
    <message>
        <source>L%1</source>
        <translation>L%1</translation>
    </message>
    <message>
        <source>Expert load: no router chosen</source>
        <translation>专家负载：未选择路由器</translation>
    </message>
    <message>
        <source>Expert load of %1: not measured (re-run the Routers step)</source>
        <translation>%1 的专家负载：未测量（请重新运行“路由器”步骤）</translation>
    </message>
    <message>
        <source>Expert load of %1, layer %2, K = %3: CV %4</source>
        <translation>%1 的专家负载，层 %2，K = %3：变异系数 %4</translation>
    </message>
</context>
<context>
    <name>moewb::gui::ExpertStripPlot</name>
    <message>
        <location filename="../widgets/ExpertStripPlot.cpp" line="+19"/>
        <source>enc %1</source>
        <translation>编码器 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dec %1</source>
        <translation>解码器 %1</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Which experts each feed-forward layer ran for each token: one row per expert, grouped by layer; a filled cell means the expert fired. Hover a cell for details; right-click to export.</source>
        <translation>每个前馈层为每个词元运行了哪些专家：每个专家一行，按层分组；实心单元格表示该专家被激活。悬停单元格查看详情；右键导出。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Translate with experts to see which of them fire for each token</source>
        <translation>使用专家进行翻译，即可查看每个词元激活了哪些专家</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>No expert choices were recorded</source>
        <translation>没有记录专家选择</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>source pieces (encoder)</source>
        <translation>源端子词（编码器）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>generated pieces (decoder)</source>
        <translation>生成的子词（解码器）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Experts fired per token: K = %1 of %2 in each layer</source>
        <translation>每个词元激活的专家：每层 %2 个中的 K = %1 个</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>layer (one row per expert)</source>
        <translation>层（每个专家一行）</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Token %1 “%2”, layer %3, expert %4</source>
        <translation>词元 %1“%2”，第 %3 层，专家 %4</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1: fired (rank %2 of %3)</source>
        <translation>%1：已激活（排名 %2 / %3）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: skipped</source>
        <translation>%1：已跳过</translation>
    </message>
    <message>
        <source>Experts fired per token: dynamic K (τ %1, at most %2 of %3), %4 per token on average</source>
        <translation>每个词元激活的专家：动态 K（τ %1，至多 %2 / %3），平均每词元 %4 个</translation>
    </message>
</context>
<context>
    <name>FigureExporter</name>
    <message>
        <location filename="../widgets/FigureExporter.cpp" line="+31"/>
        <source>%1: could not replace the file (check the folder&apos;s permissions)</source>
        <translation>%1：无法替换该文件（请检查文件夹的权限）</translation>
    </message>
    <message>
        <location filename="../widgets/FigureExporter.cpp" line="+118"/>
        <source>%1: unknown figure format (use .png, .pdf or .svg)</source>
        <translation>%1：未知的图形格式（请使用 .png、.pdf 或 .svg）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1: the figure has nothing to draw</source>
        <translation>%1：图形中没有可绘制的内容</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1: DPI must be between 24 and 2400 and the size not empty</source>
        <translation>%1：DPI 必须介于 24 和 2400 之间，且尺寸不能为空</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>%1: could not write the figure (is the folder writable?)</source>
        <translation>%1：无法写入图形（文件夹是否可写？）</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1: could not create the folder</source>
        <translation>%1：无法创建文件夹</translation>
    </message>
    <message>
        <location line="+18"/>
        <location line="+9"/>
        <location line="+9"/>
        <source>Export figure</source>
        <translation>导出图形</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>PNG image (*.png);;PDF document (*.pdf);;SVG drawing (*.svg)</source>
        <translation>PNG 图像 (*.png);;PDF 文档 (*.pdf);;SVG 矢量图 (*.svg)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Resolution (DPI):</source>
        <translation>分辨率 (DPI)：</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Export figure…</source>
        <translation>导出图形…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save this figure as PNG, PDF or SVG</source>
        <translation>将此图形保存为 PNG、PDF 或 SVG</translation>
    </message>
</context>
<context>
    <name>moewb::gui::FinetuneCurveView</name>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="32"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="33"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="39"/>
        <source>No fine-tuning yet — run the Fine-tune step&lt;br&gt;&lt;small&gt;This view then draws the training loss of every step and the BLEU of the checks, live.&lt;/small&gt;</source>
        <translation>尚未微调——请运行“微调”步骤&lt;br&gt;&lt;small&gt;之后此视图将实时绘制每一步的训练损失以及各次检查的 BLEU。&lt;/small&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="52"/>
        <source>Loss per target token of each training step (left axis) and the greedy BLEU of the fine-tuned model at K on the demo set at each check (right axis)</source>
        <translation>每个训练步骤中每个目标词元的损失（左轴），以及每次检查时微调模型在 K 下于演示集上的贪心 BLEU（右轴）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="56"/>
        <source>MoE fine-tuning</source>
        <translation>MoE 微调</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="68"/>
        <source>Training step</source>
        <translation>训练步数</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="69"/>
        <source>Loss per target token</source>
        <translation>每个目标词元的损失</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="71"/>
        <source>BLEU at K (demo set)</source>
        <translation>K 下的 BLEU（演示集）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="78"/>
        <source>Loss (weighted total)</source>
        <translation>损失（加权总和）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="79"/>
        <source>KL to the dense model</source>
        <translation>相对稠密模型的 KL</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="80"/>
        <source>Cross-entropy on the references</source>
        <translation>相对参考译文的交叉熵</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="81"/>
        <source>FFN-output MSE</source>
        <translation>FFN 输出的 MSE</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="88"/>
        <source>BLEU at K (checks)</source>
        <translation>K 下的 BLEU（检查）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="95"/>
        <source>Fine-tuning curve</source>
        <translation>微调曲线</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="97"/>
        <source>Smooth</source>
        <translation>平滑</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="101"/>
        <source>Exponential moving average of the per-step losses (about 10 steps), as each step sees a different batch; untick to see every step as measured</source>
        <translation>对每步损失取指数移动平均（约 10 步），因为每一步使用的批次不同；取消勾选可查看每一步的实测值</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="159"/>
        <source>MoE fine-tuning: %1</source>
        <translation>MoE 微调：%1</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="250"/>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="255"/>
        <source>Step %1 · %2 · %3 tokens/s · loss %4 (KL %5, CE %6)</source>
        <translation>第 %1 步 · %2 · %3 词元/秒 · 损失 %4（KL %5，CE %6）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="272"/>
        <source> · BLEU %1 at step %2 (best %3 at step %4)</source>
        <translation> · 第 %2 步 BLEU %1（最佳：第 %4 步 %3）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneCurveView.cpp" line="278"/>
        <source> · no BLEU check yet</source>
        <translation> · 尚未进行 BLEU 检查</translation>
    </message>
</context>
<context>
    <name>moewb::gui::FinetuneSession</name>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="1"/>
        <source>Unknown expert choice “%1”.</source>
        <translation>未知的专家选择“%1”。</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="73"/>
        <source>K must be between 1 and the number of experts N = %1, not %2.</source>
        <translation>K 必须介于 1 和专家数 N = %1 之间，而不是 %2。</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="83"/>
        <source>Mixed K takes numbers from 1 to N = %1 separated by commas, not “%2”.</source>
        <translation>混合 K 应为 1 到 N = %1 之间、以逗号分隔的数字，而不是“%2”。</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="90"/>
        <source>The loss weights (KD, CE, MSE) must be 0 or more, and not all 0.</source>
        <translation>损失权重（KD、CE、MSE）必须大于或等于 0，且不能全为 0。</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="94"/>
        <source>Give the fine-tuning a time budget.</source>
        <translation>请为微调设置时间预算。</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="192"/>
        <source>Open a project first.</source>
        <translation>请先打开一个项目。</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="196"/>
        <source>A fine-tune is already running: wait for it or cancel it.</source>
        <translation>已有微调正在运行：请等待其完成或取消它。</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="203"/>
        <source>Fine-tuning runs the experts of a partition: run the Partitions step first (partition &apos;%1&apos; does not exist).</source>
        <translation>微调需要运行某个划分的专家：请先运行“划分”步骤（划分“%1”不存在）。</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="221"/>
        <source>finetune/%1 holds the checkpoint of an earlier run: tick Resume to continue it, or give the model another name.</source>
        <translation>finetune/%1 中保存着之前运行的检查点：勾选“继续”以接着训练，或为模型另取一个名称。</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="227"/>
        <source>Choose both the German and the English training file.</source>
        <translation>请同时选择德语和英语训练文件。</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="355"/>
        <source>Fine-tuning %1 (K = %2 of %3)</source>
        <translation>正在微调 %1（K = %2 / %3）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="391"/>
        <source>Loading the fine-tuning curve</source>
        <translation>正在加载微调曲线</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="400"/>
        <source>%1 (no router)</source>
        <translation>%1（无路由器）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneSession.cpp" line="403"/>
        <source>not run</source>
        <translation>未运行</translation>
    </message>
</context>
<context>
    <name>moewb::gui::FinetuneStepForm</name>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="1"/>
        <source>Current weights (largest activation mass)</source>
        <translation>当前权重（最大激活量）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="1"/>
        <source>The partition's MLP router</source>
        <translation>该划分的 MLP 路由器</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="1"/>
        <source>Joint gate (noisy top-K, trained)</source>
        <translation>联合门控（带噪声的 top-K，随专家训练）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="1"/>
        <source>How training picks each token's K experts: from the model's own activations at every step; by the MLP router the Routers step trained on the dense model; or by a noisy top-K gate (Shazeer et al.) trained with the experts and a load-balancing loss, saved as router NAME-gate beside NAME-mlp</source>
        <translation>训练时如何为每个词元选择 K 个专家：每一步根据模型自身的激活；由路由器步骤在稠密模型上训练的 MLP 路由器；或由与专家一起训练、带负载均衡损失的噪声 top-K 门控（Shazeer 等），保存为路由器 NAME-gate，与 NAME-mlp 并列</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="1"/>
        <source>Expert choice:</source>
        <translation>专家选择：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="43"/>
        <source>The partition whose K experts per token the model learns to run</source>
        <translation>模型学习为每个词元运行其中 K 个专家的划分</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="49"/>
        <source>Active experts per token in every feed-forward layer, the K the model is tuned for and checked at (default N / 4)</source>
        <translation>每个前馈层中每个词元的激活专家数，即模型针对并在其上检查的 K（默认 N / 4）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="53"/>
        <source>e.g. 1,2,4 (empty: K only)</source>
        <translation>例如 1,2,4（留空：仅用 K）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="57"/>
        <source>Each step draws its K from this list, so that one model serves several K</source>
        <translation>每一步从此列表中抽取其 K，使一个模型可用于多个 K</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="62"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="64"/>
        <source>Training time; a resumed run counts its earlier runs too, so raise it to train longer</source>
        <translation>训练时间；继续运行时会计入之前各次运行的时间，如需训练更久请调高此值</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="66"/>
        <source>Weight of the KL divergence to the dense model&apos;s output distribution (distillation)</source>
        <translation>相对稠密模型输出分布的 KL 散度的权重（蒸馏）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="69"/>
        <source>Weight of the cross-entropy on the reference translations</source>
        <translation>相对参考译文的交叉熵的权重</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="71"/>
        <source>Weight of the mean squared difference between the MoE and the dense feed-forward outputs, per layer</source>
        <translation>逐层 MoE 与稠密前馈输出之间均方差的权重</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="79"/>
        <source> steps</source>
        <translation> 步</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="80"/>
        <source>at the end only</source>
        <translation>仅在结束时</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="82"/>
        <source>Greedy BLEU of the model at K on the built-in demo set every this many steps (a check takes a few seconds)</source>
        <translation>每隔这么多步，在内置演示集上测量模型在 K 下的贪心 BLEU（每次检查需要几秒钟）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="86"/>
        <source>Ding sentences (train split)</source>
        <translation>Ding 例句（训练集划分）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="87"/>
        <source>Parallel files…</source>
        <translation>平行语料文件…</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="89"/>
        <source>Sentence pairs to fine-tune on: the Ding dictionary&apos;s example sentences, or a line-aligned German and English file (e.g. Multi30k&apos;s train.de and train.en)</source>
        <translation>用于微调的句对：Ding 词典的例句，或逐行对齐的德语和英语文件（例如 Multi30k 的 train.de 和 train.en）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="94"/>
        <source>The new model is saved as models/NAME.moewb and its router as routers/NAME-mlp; the dense model is never changed</source>
        <translation>新模型保存为 models/NAME.moewb，其路由器保存为 routers/NAME-mlp；稠密模型始终不会被修改</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="98"/>
        <source>Resume the checkpoint</source>
        <translation>从检查点继续</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="101"/>
        <source>Partition:</source>
        <translation>划分：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="102"/>
        <source>Experts K:</source>
        <translation>专家数 K：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="103"/>
        <source>Mixed K:</source>
        <translation>混合 K：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="104"/>
        <source>Time budget:</source>
        <translation>时间预算：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="105"/>
        <source>KD weight:</source>
        <translation>KD 权重：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="106"/>
        <source>CE weight:</source>
        <translation>CE 权重：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="107"/>
        <source>MSE weight:</source>
        <translation>MSE 权重：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="108"/>
        <source>BLEU check every:</source>
        <translation>BLEU 检查间隔：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="109"/>
        <source>Training data:</source>
        <translation>训练数据：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="110"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="198"/>
        <source>&lt;partition&gt;-ft</source>
        <translation>&lt;划分&gt;-ft</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="218"/>
        <source>No checkpoint of this name yet (finetune/NAME/ of the project)</source>
        <translation>此名称尚无检查点（项目的 finetune/NAME/）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="226"/>
        <source>Resume (step %1, %2 min trained)</source>
        <translation>继续（第 %1 步，已训练 %2 分钟）</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="232"/>
        <source>Continue the run saved in %1; unticked, Run refuses to start over on it</source>
        <translation>继续保存在 %1 中的运行；不勾选时，“运行”会拒绝在其上从头开始</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="257"/>
        <source>German training sentences, one per line</source>
        <translation>德语训练句子，每行一句</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="258"/>
        <source>German text (*.de *.de.gz);;All files (*)</source>
        <translation>德语文本 (*.de *.de.gz);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="268"/>
        <source>Their English translations, line by line</source>
        <translation>对应的英语译文，逐行对应</translation>
    </message>
    <message>
        <location filename="../widgets/FinetuneStepForm.cpp" line="269"/>
        <source>English text (*.en *.en.gz);;All files (*)</source>
        <translation>英语文本 (*.en *.en.gz);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>moewb::gui::GateAccuracyView</name>
    <message>
        <location filename="../widgets/GateAccuracyView.cpp" line="+58"/>
        <source>&lt;p&gt;&lt;b&gt;No routers yet.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Run the Routers step (train routers over a partition) to see how often each router picks the experts the oracle would pick.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;尚无路由器。&lt;/b&gt;&lt;/p&gt;&lt;p&gt;运行“路由器”步骤（在某个划分上训练路由器），即可查看每个路由器选中 oracle 所选专家的频率。&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This view fills in once the project has trained routers</source>
        <translation>项目中有训练好的路由器后，此视图将显示内容</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Active experts K per token: the bars and the table show recall@K and mass coverage at this K</source>
        <translation>每个词元的激活专家数 K：柱状图和表格显示此 K 下的 recall@K 和质量覆盖率</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Which layer the recall-vs-K plot shows, or the mean over all layers</source>
        <translation>召回率–K 曲线显示哪一层，或所有层的平均值</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Recall@K (share of the oracle&apos;s top-K experts the router picks) and mass coverage (share of the oracle&apos;s expert activation mass in the router&apos;s top K), per layer</source>
        <translation>Recall@K（oracle 的前 K 个专家中被路由器选中的比例）和质量覆盖率（路由器前 K 个专家覆盖的 oracle 专家激活质量比例），按层显示</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Recall@K against K for each router; the dashed line is picking experts at random</source>
        <translation>各路由器的 Recall@K 随 K 的变化；虚线为随机选择专家</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Held-out recall@K and mass coverage per router and layer</source>
        <translation>各路由器和各层在留出集上的 recall@K 与质量覆盖率</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Active experts K:</source>
        <translation>激活专家数 K：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Recall vs K for:</source>
        <translation>召回率–K 曲线：</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Gate accuracy per layer</source>
        <translation>各层的门控准确率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Router recall against K</source>
        <translation>路由器召回率随 K 的变化</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>enc %1</source>
        <translation>编码器 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dec %1</source>
        <translation>解码器 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>L%1</source>
        <translation>L%1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Mean of layers</source>
        <translation>各层平均</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Active experts K (of N)</source>
        <translation>激活专家数 K（共 N 个）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recall@K</source>
        <translation>Recall@K</translation>
    </message>
    <message>
        <location line="+53"/>
        <location line="+69"/>
        <source>Recall@%1</source>
        <translation>Recall@%1</translation>
    </message>
    <message>
        <location line="-69"/>
        <source>Mass coverage@%1</source>
        <translation>质量覆盖率@%1</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>random choice (K/N)</source>
        <translation>随机选择（K/N）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>random choice (N = %1)</source>
        <translation>随机选择（N = %1）</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Recall@K, mean of layers</source>
        <translation>Recall@K，各层平均</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recall@K, layer %1</source>
        <translation>Recall@K，第 %1 层</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Router</source>
        <translation>路由器</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Coverage@%1</source>
        <translation>覆盖率@%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name of the router set (hover a name for its partition)</source>
        <translation>路由器组的名称（悬停名称可查看其划分）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FFN layer (encoder first)</source>
        <translation>FFN 层（编码器在前）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share of the oracle&apos;s top-K experts the router picks</source>
        <translation>oracle 的前 K 个专家中被路由器选中的比例</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mass coverage: share of the oracle&apos;s activation mass in the router&apos;s top K</source>
        <translation>质量覆盖率：路由器前 K 个专家覆盖的 oracle 激活质量比例</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 routes over partition “%2”</source>
        <translation>%1 基于划分“%2”进行路由</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <source>The router whose expert load is shown</source>
        <translation>显示其专家负载的路由器</translation>
    </message>
    <message>
        <source>The layer whose per-expert load is shown</source>
        <translation>显示各专家负载的层</translation>
    </message>
    <message>
        <source>Load of:</source>
        <translation>负载：</translation>
    </message>
    <message>
        <source>Expert load at K</source>
        <translation>K 下的专家负载</translation>
    </message>
</context>
<context>
    <name>moewb::gui::JobRunner</name>
    <message>
        <source>%1: out of memory</source>
        <translation>%1：内存不足</translation>
    </message>
    <message>
        <source>%1: LibTorch error: %2</source>
        <translation>%1：LibTorch 错误：%2</translation>
    </message>
    <message>
        <location filename="../widgets/JobRunner.cpp" line="+63"/>
        <source>Unknown error</source>
        <translation>未知错误</translation>
    </message>
</context>
<context>
    <name>moewb::gui::JobStatusWidget</name>
    <message>
        <location filename="../widgets/JobStatusWidget.cpp" line="+20"/>
        <source>Progress of the running job</source>
        <translation>正在运行的任务的进度</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stop the running job (Esc); the results shown so far stay as they are</source>
        <translation>停止正在运行的任务（Esc）；当前显示的结果保持不变</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>“%1” finished</source>
        <translation>“%1”已完成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“%1” cancelled</source>
        <translation>“%1”已取消</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“%1” failed: %2</source>
        <translation>“%1”失败：%2</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>about %1 s left</source>
        <translation>剩余约 %1 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>about %1 min left</source>
        <translation>剩余约 %1 分钟</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>moewb::gui::MainWindow</name>
    <message>
        <source>Stale artifacts</source>
        <translation>过时的产物</translation>
    </message>
    <message>
        <source>These were made from a partition or router that has changed since; they are marked stale in the project panel:
%1</source>
        <translation>这些产物所依据的划分或路由器此后已更改；它们在项目面板中被标记为过时：
%1</translation>
    </message>
    <message>
        <location filename="../widgets/MainWindow.cpp" line="+53"/>
        <location line="+236"/>
        <source>MoE Workbench</source>
        <translation>MoE 工作台</translation>
    </message>
    <message>
        <location line="-198"/>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The pipeline steps and the data sources</source>
        <translation>流水线各步骤与数据来源</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Translator</source>
        <translation>翻译器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Translate live with K of N experts per token</source>
        <translation>每个词元使用 N 个专家中的 K 个进行实时翻译</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sparsity</source>
        <translation>稀疏度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How many FFN neurons stay at zero, per layer</source>
        <translation>每层有多少 FFN 神经元保持为零</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Co-activation</source>
        <translation>共激活</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Which neurons fire together, ordered by expert</source>
        <translation>哪些神经元一起激活，按专家排序</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expert graph</source>
        <translation>专家图</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Experts and how strongly they fire together</source>
        <translation>各专家及其共同激活的强度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Gate accuracy</source>
        <translation>门控准确率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How well each router finds the right experts</source>
        <translation>每个路由器找到正确专家的能力</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sweeps</source>
        <translation>扫描</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>BLEU, time and speed-up against K</source>
        <translation>BLEU、耗时和加速比随 K 的变化</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Model for a new project</source>
        <translation>新项目所用的模型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>MoE Workbench models (*.moewb)</source>
        <translation>MoE 工作台模型 (*.moewb)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Folder of the new project</source>
        <translation>新项目的文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+6"/>
        <location line="+114"/>
        <source>Open Project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Export All Figures</source>
        <translation>导出所有图形</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n file(s) written to %1</source>
        <translation>
            <numerusform>已将 %n 个文件写入 %1</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About MoE Workbench…</source>
        <translation>关于 MoE 工作台(&amp;A)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show the version of the workbench and of the libraries it uses</source>
        <translation>显示工作台及其所用库的版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>About &amp;Qt…</source>
        <translation>关于 &amp;Qt…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show the Qt version and licence</source>
        <translation>显示 Qt 的版本和许可证</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>%1 — MoE Workbench</source>
        <translation>%1 — MoE 工作台</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Could not open %1:
%2</source>
        <translation>无法打开 %1：
%2</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Pipeline</source>
        <translation>流水线</translation>
    </message>
    <message>
        <location filename="../widgets/MainWindow.cpp" line="107"/>
        <source>Fine-tuning</source>
        <translation>微调</translation>
    </message>
    <message>
        <location filename="../widgets/MainWindow.cpp" line="108"/>
        <source>Loss and BLEU of the MoE fine-tune, live while it runs</source>
        <translation>MoE 微调的损失和 BLEU，运行时实时显示</translation>
    </message>
</context>
<context>
    <name>moewb::gui::OverviewView</name>
    <message>
        <location filename="../widgets/OverviewView.cpp" line="+25"/>
        <source>German–English sentence pairs and their deterministic train/valid/test split</source>
        <translation>德语–英语句对及其确定性的训练/验证/测试划分</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Transformer encoder–decoder with ReLU feed-forward layers, trained or loaded</source>
        <translation>使用 ReLU 前馈层的 Transformer 编码器–解码器，可训练或加载</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sparsity and neuron co-activation of every feed-forward layer, counted over training tokens</source>
        <translation>在训练词元上统计的每个前馈层的稀疏度与神经元共激活</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The neurons of each feed-forward layer split into experts of equal size</source>
        <translation>将每个前馈层的神经元划分为大小相等的专家</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Per-layer gates that pick the K experts each token uses</source>
        <translation>逐层的门控网络，为每个词元选出所用的 K 个专家</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>BLEU, time and router recall against the number of active experts K</source>
        <translation>BLEU、耗时和路由召回率随激活专家数 K 的变化</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>%1: not found (looked in %2)</source>
        <translation>%1：未找到（已查找 %2）</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%1: %n file(s) in %2</source>
        <translation>
            <numerusform>%1：%2 中有 %n 个文件</numerusform>
        </translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The pipeline: each box is one step, coloured by its state</source>
        <translation>流水线：每个方框是一个步骤，颜色表示其状态</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The steps of the pipeline and their state in the open project</source>
        <translation>流水线的各个步骤及其在当前项目中的状态</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Data sources the workbench found on this computer</source>
        <translation>工作台在本机上找到的数据来源</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>About the data</source>
        <translation>关于数据</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Pipeline</source>
        <translation>流水线</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Not computed (no project open)</source>
        <translation>尚未计算（未打开项目）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Corpus</source>
        <translation>语料</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Profile</source>
        <translation>分析</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Partitions</source>
        <translation>划分</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Routers</source>
        <translation>路由器</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sweeps</source>
        <translation>扫描</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not computed</source>
        <translation>尚未计算</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Ding dictionary (Debian package trans-de-en): %1, %2 MB</source>
        <translation>Ding 词典（Debian 软件包 trans-de-en）：%1，%2 MB</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ding dictionary: not found at %1; install the Debian package trans-de-en to use it</source>
        <translation>Ding 词典：在 %1 未找到；如需使用，请安装 Debian 软件包 trans-de-en</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Built-in demo set</source>
        <translation>内置演示集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shipped models</source>
        <translation>随附模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other corpora: Moses-style parallel text (train.de and train.en, optionally gzip-compressed) or tab-separated German–English pairs.</source>
        <translation>其他语料：Moses 格式的平行文本（train.de 和 train.en，可用 gzip 压缩），或以制表符分隔的德语–英语句对。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The steps show their results once a workbench project is open.</source>
        <translation>打开工作台项目后，各步骤将显示其结果。</translation>
    </message>
</context>
<context>
    <name>moewb::gui::ProjectMenu</name>
    <message>
        <location filename="../widgets/ProjectMenu.cpp" line="+1"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New Project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Folder of the new project (on the shipped model)</source>
        <translation>新项目的文件夹（使用随附模型）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>New Project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 already holds a project; use Open Project.</source>
        <translation>%1 中已有项目；请使用“打开项目”。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Start a project in an empty folder, on the shipped default model</source>
        <translation>在空文件夹中新建项目，使用随附的默认模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open Project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <location line="-113"/>
        <source>%1 has no project.json; use New Project to start one there.</source>
        <translation>%1 中没有 project.json；请使用“新建项目”在此创建项目。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open a project folder</source>
        <translation>打开项目文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Write project.json (artifacts are saved as each step finishes)</source>
        <translation>写入 project.json（各步骤完成时即已保存其产物）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save &amp;As…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the project to</source>
        <translation>将项目复制到</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Copy the project with all its artifacts to another folder</source>
        <translation>将项目及其全部产物复制到另一个文件夹</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Export All Figures…</source>
        <translation>导出所有图形(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export all figures to</source>
        <translation>将所有图形导出到</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Write every figure as PNG (300 DPI), PDF and SVG</source>
        <translation>将每个图形分别写为 PNG（300 DPI）、PDF 和 SVG</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Close the workbench; running jobs are cancelled</source>
        <translation>关闭工作台；正在运行的任务将被取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+6"/>
        <location line="+114"/>
        <source>Open Project</source>
        <translation>打开项目</translation>
    </message>
</context>
<context>
    <name>moewb::gui::ProjectPanel</name>
    <message>
        <location filename="../widgets/ProjectPanel.cpp" line="+41"/>
        <source>1 · Corpus</source>
        <translation>1 · 语料</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Use another model…</source>
        <translation>使用其他模型…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Point this project at another .moewb model file</source>
        <translation>让此项目改用另一个 .moewb 模型文件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>2 · Model</source>
        <translation>2 · 模型</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Source + target tokens of training data run through the model</source>
        <translation>送入模型的训练数据词元数（源端 + 目标端）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokens:</source>
        <translation>词元数：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>3 · Profile</source>
        <translation>3 · 分析</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Balanced k-means (W1 rows)</source>
        <translation>平衡 k-means（W1 的行）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Co-activation + METIS</source>
        <translation>共激活 + METIS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Importance-guided, shared neurons (MoEBERT)</source>
        <translation>重要性引导，共享神经元（MoEBERT）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How the neurons of each FFN layer are grouped into experts</source>
        <translation>如何将每个 FFN 层的神经元分组为专家</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Experts per layer (N); each gets d_ff / N neurons</source>
        <translation>每层的专家数（N）；每个专家 d_ff / N 个神经元</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Seed of k-means++, METIS and the random permutation</source>
        <translation>k-means++、METIS 和随机排列的随机种子</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Method:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Experts:</source>
        <translation>专家数：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed:</source>
        <translation>种子：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Importance method: the most important neurons, computed for every token; (d_ff - shared) must divide by the number of experts</source>
        <translation>重要性方法：最重要的神经元，对每个词元都计算；(d_ff - 共享数) 必须能被专家数整除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Shared neurons:</source>
        <translation>共享神经元：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>4 · Partitions</source>
        <translation>4 · 划分</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The partition whose experts the routers choose</source>
        <translation>路由器从中选择专家的划分</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>MLP gate (trained)</source>
        <translation>MLP 门控（需训练）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Similarity to centroids</source>
        <translation>与质心的相似度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Oracle (ground truth)</source>
        <translation>Oracle（真实最优）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hash of the token id (MoEBERT)</source>
        <translation>词元 id 哈希（MoEBERT）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How each token&apos;s K experts are chosen</source>
        <translation>如何为每个词元选择 K 个专家</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Training epochs of the MLP gate (the best held-out epoch is kept)</source>
        <translation>MLP 门控的训练轮数（保留留出集上最好的一轮）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Partition:</source>
        <translation>划分：</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+14"/>
        <source>Router:</source>
        <translation>路由器：</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>Epochs:</source>
        <translation>轮数：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>5 · Routers</source>
        <translation>5 · 路由器</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The routers (and their partition) to sweep</source>
        <translation>要扫描的路由器（及其划分）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>K sweep (1, 2, 4 … N)</source>
        <translation>K 扫描（1、2、4 … N）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Classic comparison table</source>
        <translation>经典对比表</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A sweep over K on the demo set, or the classic table of time and BLEU over the first 10 … 30 sentences</source>
        <translation>在演示集上对 K 进行扫描，或在前 10 … 30 个句子上生成耗时与 BLEU 的经典对比表</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>6 · Sweeps</source>
        <translation>6 · 扫描</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>about %1 s</source>
        <translation>约 %1 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>about %1 min</source>
        <translation>约 %1 分钟</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>Running…</source>
        <translation>运行中…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run again (%1)</source>
        <translation>再次运行（%1）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Run this step (%1)</source>
        <translation>运行此步骤（%1）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Runs on a worker thread; the status bar shows progress and a Cancel button. Expected time: %1 on this machine.</source>
        <translation>在工作线程上运行；状态栏显示进度和“取消”按钮。在本机上的预计耗时：%1。</translation>
    </message>
    <message>
        <location filename="../widgets/ProjectPanel.cpp" line="132"/>
        <source>7 · Fine-tune</source>
        <translation>7 · 微调</translation>
    </message>
    <message>
        <source>e.g. 0.3,0.4,0.5 (empty = none)</source>
        <translation>例如 0.3,0.4,0.5（留空 = 无）</translation>
    </message>
    <message>
        <source>Dynamic-K rows added to the K sweep, one per threshold τ: each token takes the fewest experts holding τ of the router&apos;s mass, at most N/2</source>
        <translation>添加到 K 扫描中的动态 K 行，每个阈值 τ 一行：每个词元选取占路由器质量 τ 的最少专家，至多 N/2 个</translation>
    </message>
    <message>
        <source>Dynamic τ:</source>
        <translation>动态 τ：</translation>
    </message>
    <message>
        <source>Dynamic τ: “%1” is not a list of numbers such as 0.3,0.4,0.5.</source>
        <translation>动态 τ：“%1”不是形如 0.3,0.4,0.5 的数字列表。</translation>
    </message>
</context>
<context>
    <name>moewb::gui::ProjectSession</name>
    <message>
        <source>; stale (partition re-run, run this step again): %1</source>
        <translation>；已过时（划分已重新运行，请再次运行此步骤）：%1</translation>
    </message>
    <message>
        <source>; stale (partition or router re-run): %1</source>
        <translation>；已过时（划分或路由器已重新运行）：%1</translation>
    </message>
    <message>
        <location filename="../widgets/ProjectSession.cpp" line="+69"/>
        <source>Opening project</source>
        <translation>正在打开项目</translation>
    </message>
    <message>
        <location line="+99"/>
        <source>Some artifacts could not be read and were skipped:
%1</source>
        <translation>部分产物无法读取，已跳过：
%1</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+14"/>
        <source>No project is open.</source>
        <translation>未打开项目。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Copying project</source>
        <translation>正在复制项目</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Open a project first.</source>
        <translation>请先打开一个项目。</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Profiling FFN activations</source>
        <translation>正在分析 FFN 激活</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>METIS partitions the co-activation graph: run the Profile step first.</source>
        <translation>METIS 对共激活图进行划分：请先运行“分析”步骤。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Partitioning into %1 experts (%2)</source>
        <translation>正在划分为 %1 个专家（%2）</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>Routers pick experts of a partition: run the Partitions step first (partition &apos;%1&apos; does not exist).</source>
        <translation>路由器从划分中选择专家：请先运行“划分”步骤（划分“%1”不存在）。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Building %1 routers over %2</source>
        <translation>正在基于 %2 构建 %1 路由器</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Sweeps run a router: run the Routers step first (router &apos;%1&apos; does not exist).</source>
        <translation>扫描需要运行路由器：请先运行“路由器”步骤（路由器“%1”不存在）。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Classic comparison with %1</source>
        <translation>使用 %1 进行经典对比</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sweeping K with %1</source>
        <translation>使用 %1 扫描 K</translation>
    </message>
    <message>
        <location line="+84"/>
        <source>Ding dictionary (trans-de-en)</source>
        <translation>Ding 词典（trans-de-en）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>trans-de-en is not installed (apt install trans-de-en)</source>
        <translation>未安装 trans-de-en（apt install trans-de-en）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (%2 FFN layers)</source>
        <translation>%1（%2 个 FFN 层）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>not loaded</source>
        <translation>未加载</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 layers, %2 tokens</source>
        <translation>%1 层，%2 个词元</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+6"/>
        <location line="+7"/>
        <location line="+6"/>
        <source>not run</source>
        <translation>未运行</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>%1 sweeps, %2 comparisons</source>
        <translation>%1 次扫描，%2 次对比</translation>
    </message>
    <message>
        <source>A dynamic-K threshold τ lies between 0 and 1 (exclusive), e.g. 0.3,0.4,0.5; got %1.</source>
        <translation>动态 K 的阈值 τ 应在 0 与 1 之间（不含端点），例如 0.3,0.4,0.5；收到的是 %1。</translation>
    </message>
</context>
<context>
    <name>moewb::gui::SentencePicker</name>
    <message>
        <location filename="../widgets/SentencePicker.cpp" line="+19"/>
        <source>Sentences</source>
        <translation>句子</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The built-in demo sentences with their English references, and the sentences you add or open</source>
        <translation>内置演示句子及其英文参考译文，以及你添加或打开的句子</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Pick a sentence to translate it</source>
        <translation>选择一个句子以翻译它</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add sentence</source>
        <translation>添加句子</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add the German sentence in the input, with its reference if you typed one</source>
        <translation>添加输入框中的德语句子，如已输入参考译文则一并添加</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open parallel file…</source>
        <translation>打开平行文本文件…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add sentences from a TSV file (German&lt;TAB&gt;English) or from two line-aligned files (German and English, e.g. test.de and test.en: select both)</source>
        <translation>从 TSV 文件（德语&lt;TAB&gt;英语）或两个逐行对齐的文件（德语和英语，例如 test.de 和 test.en：请同时选中两者）添加句子</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>Open parallel text</source>
        <translation>打开平行文本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Parallel text (*.tsv *.de *.en *.txt *.gz);;All files (*)</source>
        <translation>平行文本 (*.tsv *.de *.en *.txt *.gz);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Select one TSV file, or one German and one English file.</source>
        <translation>请选择一个 TSV 文件，或一个德语文件和一个英语文件。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Reading %1</source>
        <translation>正在读取 %1</translation>
    </message>
</context>
<context>
    <name>moewb::gui::SparsityView</name>
    <message>
        <location filename="../widgets/SparsityView.cpp" line="+47"/>
        <source>No profile yet — run the Profile step&lt;br&gt;&lt;small&gt;Then this view shows the share of zero activations in each feed-forward layer.&lt;/small&gt;</source>
        <translation>尚无分析结果——请运行“分析”步骤&lt;br&gt;&lt;small&gt;之后此视图将显示每个前馈层中零激活的占比。&lt;/small&gt;</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The profile counts which FFN neurons fire on training tokens</source>
        <translation>分析步骤统计哪些 FFN 神经元在训练词元上激活</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Share of zero activations (ReLU output 0) in each feed-forward layer; the grey top is the dense share that a dense FFN computes for nothing but these neurons</source>
        <translation>每个前馈层中零激活（ReLU 输出为 0）的占比；顶部灰色部分为稠密（非零）占比，即稠密 FFN 的计算中只有这些神经元的部分是有用的</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>How many neurons fire on a given share of the profiled tokens</source>
        <translation>在给定比例的已分析词元上激活的神经元有多少</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The feed-forward layer whose neuron frequencies are shown</source>
        <translation>显示其神经元激活频率的前馈层</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log count</source>
        <translation>对数计数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Logarithmic neuron count, so that rare frequencies stay visible next to the peak</source>
        <translation>神经元计数取对数，使罕见频率在峰值旁仍清晰可见</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Facts about the chosen layer&apos;s neurons</source>
        <translation>所选层神经元的统计信息</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Sparsity of the feed-forward layers</source>
        <translation>前馈层的稀疏度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share of activations (%)</source>
        <translation>激活占比（%）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+10"/>
        <location line="+15"/>
        <source>Neuron activation frequency</source>
        <translation>神经元激活频率</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>Tokens on which the neuron fires (%)</source>
        <translation>神经元激活的词元占比（%）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Neurons</source>
        <translation>神经元数</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+16"/>
        <source>Sparsity per layer</source>
        <translation>各层稀疏度</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>Encoder: zero activations</source>
        <translation>编码器：零激活</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Decoder: zero activations</source>
        <translation>解码器：零激活</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Dense share (non-zero)</source>
        <translation>稠密占比（非零）</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>dense %1</source>
        <translation>稠密 %1</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>mean %1</source>
        <translation>平均 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Neuron activation frequency — %1</source>
        <translation>神经元激活频率——%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 neurons over %2 tokens; %3 never fire; mean frequency %4</source>
        <translation>%1 个神经元，共 %2 个词元；%3 个从不激活；平均频率 %4</translation>
    </message>
</context>
<context>
    <name>moewb::gui::SweepComparisonPanel</name>
    <message>
        <source>Per target token: ×%1 (%2 tokens against %3 dense)</source>
        <translation>按目标词元：×%1（%2 个词元，稠密模型为 %3 个）</translation>
    </message>
    <message>
        <source>×%1</source>
        <translation>×%1</translation>
    </message>
    <message>
        <source>×%1 ± %2</source>
        <translation>×%1 ± %2</translation>
    </message>
    <message>
        <source>%1 speedup</source>
        <translation>%1 加速比</translation>
    </message>
    <message>
        <location filename="../widgets/SweepComparisonPanel.cpp" line="+32"/>
        <source>&lt;p&gt;&lt;b&gt;No classic comparison yet.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Click “Run classic comparison…” to time the dense model and K = 1, 2, 4, 8 active experts over the first 10, 15, 20, 25 and 30 test sentences.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;尚无经典对比。&lt;/b&gt;&lt;/p&gt;&lt;p&gt;点击“运行经典对比…”，在前 10、15、20、25 和 30 个测试句子上对稠密模型以及 K = 1、2、4、8 个激活专家进行计时。&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>This tab fills in once a classic comparison has run</source>
        <translation>运行经典对比后，此标签页将显示内容</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Which saved comparison table to show</source>
        <translation>显示哪个已保存的对比表</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>What the MoE columns ran with</source>
        <translation>MoE 各列的运行设置</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Wall time, BLEU and speedup over dense per number of sentences and setting: dense and every K ran in alternating rounds, times are medians and the speedup is the median of the per-round ratios ± the farthest round</source>
        <translation>按句子数和设置列出的实际耗时、BLEU 及相对稠密模型的加速比：稠密模型与各个 K 交替轮流运行，耗时取中位数，加速比为各轮比值的中位数 ± 最远一轮的偏差</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Time (left) and BLEU (right) against the number of test sentences, for dense and each K</source>
        <translation>耗时（左）和 BLEU（右）随测试句子数的变化，分别针对稠密模型和每个 K</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Test sentences</source>
        <translation>测试句子数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Time (s)</source>
        <translation>耗时（秒）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>BLEU</source>
        <translation>BLEU</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Comparison:</source>
        <translation>对比：</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Classic comparison: time and BLEU</source>
        <translation>经典对比：耗时与 BLEU</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Dense</source>
        <translation>稠密</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>K = %1</source>
        <translation>K = %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sentences</source>
        <translation>句子数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 time (s)</source>
        <translation>%1 耗时（秒）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 BLEU</source>
        <translation>%1 BLEU</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Router “%1” over partition “%2”, %3 experts; %4, batch %5</source>
        <translation>路由器“%1”，基于划分“%2”，%3 个专家；%4，批大小 %5</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>beam %1</source>
        <translation>束宽 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>greedy</source>
        <translation>贪心</translation>
    </message>
</context>
<context>
    <name>moewb::gui::SweepTableModel</name>
    <message>
        <source>
Timed once (a sweep saved before interleaved timing)</source>
        <translation>
只计时一次（在交替计时之前保存的扫描）</translation>
    </message>
    <message numerus="yes">
        <source>
Times: medians over %n interleaved round(s) of dense and this setting</source>
        <translation>
            <numerusform>
耗时：稠密模型与本设置交替运行 %n 轮的中位数</numerusform>
        </translation>
    </message>
    <message>
        <source>The speedup per target token, ± the farthest round</source>
        <translation>按目标词元计算的加速比，± 最远一轮的偏差</translation>
    </message>
    <message>
        <source>Milliseconds per target token written: a weak K can make outputs longer or shorter, which changes the wall time for reasons other than speed</source>
        <translation>每个生成的目标词元所需毫秒数：过小的 K 可能使输出变长或变短，从而因速度以外的原因改变实际耗时</translation>
    </message>
    <message>
        <source>Per token</source>
        <translation>按词元</translation>
    </message>
    <message>
        <source>ms/token</source>
        <translation>毫秒/词元</translation>
    </message>
    <message>
        <source>×%1 ± %2</source>
        <translation>×%1 ± %2</translation>
    </message>
    <message>
        <location filename="../widgets/SweepTableModel.cpp" line="+118"/>
        <source>dense</source>
        <translation>稠密</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>×%1</source>
        <translation>×%1</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Dense reference run of “%1” (every expert computed)</source>
        <translation>“%1”的稠密参考运行（计算所有专家）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“%1” with encoder K = %2 and decoder K = %3 of %4 experts</source>
        <translation>“%1”，编码器 K = %2，解码器 K = %3，共 %4 个专家</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Sweep</source>
        <translation>扫描</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Partition</source>
        <translation>划分</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Router</source>
        <translation>路由器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enc K</source>
        <translation>编码器 K</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dec K</source>
        <translation>解码器 K</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>BLEU</source>
        <translation>BLEU</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time (s)</source>
        <translation>耗时（秒）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>FFN (s)</source>
        <translation>FFN（秒）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Speedup</source>
        <translation>加速比</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FFN ×</source>
        <translation>FFN ×</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>FFN error</source>
        <translation>FFN 误差</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Name of the saved sweep</source>
        <translation>已保存扫描的名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Partition the experts come from</source>
        <translation>专家所属的划分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Router that picks the experts</source>
        <translation>选择专家的路由器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Experts computed per token in each encoder layer</source>
        <translation>每个编码器层中每个词元计算的专家数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Experts computed per token in each decoder layer</source>
        <translation>每个解码器层中每个词元计算的专家数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Corpus BLEU on the test set (sacreBLEU, 0–100)</source>
        <translation>测试集上的语料级 BLEU（sacreBLEU，0–100）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wall time of translating the test set (median over the timed rounds)</source>
        <translation>翻译测试集的实际耗时（各计时轮的中位数）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Part of the time spent inside the feed-forward layers, routing included</source>
        <translation>其中在前馈层内花费的时间，含路由</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dense time divided by this row&apos;s time: the median over rounds that ran dense and this setting alternately, ± the farthest round</source>
        <translation>稠密耗时除以本行耗时：稠密模型与本设置交替运行的各轮比值的中位数，± 最远一轮的偏差</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dense FFN time divided by this row&apos;s FFN time (median over rounds)</source>
        <translation>稠密 FFN 耗时除以本行 FFN 耗时（各轮中位数）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mean held-out recall@K of the router over layers</source>
        <translation>路由器在留出集上的 recall@K 的各层平均值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mean relative error of the FFN output against the dense FFN</source>
        <translation>FFN 输出相对稠密 FFN 的平均相对误差</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>%1: cannot write (%2); choose another folder</source>
        <translation>%1：无法写入（%2）；请选择其他文件夹</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: writing failed (%2)</source>
        <translation>%1：写入失败（%2）</translation>
    </message>
    <message>
        <source>τ %1 (≤ %2)</source>
        <translation>τ %1（≤ %2）</translation>
    </message>
    <message>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>“%1” with dynamic K: each token takes the fewest experts holding τ = %2 of the router&apos;s mass, at most %3 of %4</source>
        <translation>“%1”，动态 K：每个词元选取占路由器质量 τ = %2 的最少专家，至多 %3 / %4 个</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>计算量</translation>
    </message>
    <message>
        <source>Experts computed per token in each encoder layer (dynamic K: its threshold τ and the most experts)</source>
        <translation>每个词元在每个编码器层计算的专家数（动态 K：其阈值 τ 与最多专家数）</translation>
    </message>
    <message>
        <source>Experts computed per token in each decoder layer (dynamic K: its threshold τ and the most experts)</source>
        <translation>每个词元在每个解码器层计算的专家数（动态 K：其阈值 τ 与最多专家数）</translation>
    </message>
    <message>
        <source>Share of the dense feed-forward multiply-adds done: router and shared neurons included, encoder and decoder tokens together (– when the sweep file predates this measurement)</source>
        <translation>实际完成的稠密前馈乘加次数所占比例：含路由器与共享神经元，编码器与解码器词元合计（扫描文件早于此项测量时显示 –）</translation>
    </message>
</context>
<context>
    <name>moewb::gui::SweepView</name>
    <message>
        <location filename="../widgets/SweepView.cpp" line="+51"/>
        <source>This tab fills in once the project has a sweep</source>
        <translation>项目中有扫描结果后，此标签页将显示内容</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Run sweep…</source>
        <translation>运行扫描…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Translate the test set with K = 1, 2, 4, … active experts and measure BLEU and time</source>
        <translation>用 K = 1、2、4、… 个激活专家翻译测试集，并测量 BLEU 和耗时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run classic comparison…</source>
        <translation>运行经典对比…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Time and BLEU for dense and K = 1, 2, 4, 8 over the first 10, 15, 20, 25 and 30 test sentences</source>
        <translation>在前 10、15、20、25 和 30 个测试句子上，对稠密模型和 K = 1、2、4、8 测量耗时与 BLEU</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Sweeps</source>
        <translation>扫描</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>BLEU, time and speedup against K for the checked sweeps</source>
        <translation>所勾选扫描的 BLEU、耗时和加速比随 K 的变化</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Classic comparison</source>
        <translation>经典对比</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time and BLEU for dense and a few K over growing test sets</source>
        <translation>在逐渐增大的测试集上，稠密模型和若干 K 的耗时与 BLEU</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+169"/>
        <source>BLEU over encoder K × decoder K</source>
        <translation>BLEU 随编码器 K × 解码器 K 的变化</translation>
    </message>
    <message>
        <location line="-153"/>
        <source>&lt;p&gt;&lt;b&gt;No sweeps yet.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Click “Run sweep…” to translate the test set with K = 1, 2, 4, … active experts and see BLEU, time and speedup against K.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;尚无扫描结果。&lt;/b&gt;&lt;/p&gt;&lt;p&gt;点击“运行扫描…”，用 K = 1、2、4、… 个激活专家翻译测试集，查看 BLEU、耗时和加速比随 K 的变化。&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Check the sweeps to show in the plots and the table</source>
        <translation>勾选要在图表和表格中显示的扫描</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Heatmap of BLEU (encoder K × decoder K)</source>
        <translation>BLEU 热力图（编码器 K × 解码器 K）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Diagonal only (encoder K = decoder K)</source>
        <translation>仅对角线（编码器 K = 解码器 K）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How to show sweeps that vary encoder K and decoder K separately</source>
        <translation>如何显示分别改变编码器 K 和解码器 K 的扫描</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Which grid sweep the heatmap shows</source>
        <translation>热力图显示哪个网格扫描</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save the table as a CSV file (comma-separated, one row per K)</source>
        <translation>将表格保存为 CSV 文件（逗号分隔，每个 K 一行）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Active experts K</source>
        <translation>激活专家数 K</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+18"/>
        <source>BLEU</source>
        <translation>BLEU</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>BLEU against K; the dashed line is the dense model</source>
        <translation>BLEU 随 K 的变化；虚线为稠密模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time (s)</source>
        <translation>耗时（秒）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wall time of translating the test set; dashed: dense</source>
        <translation>翻译测试集的实际耗时；虚线：稠密</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Speedup (×)</source>
        <translation>加速比（×）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dense time divided by MoE time; above 1 is faster than dense. Median of rounds that ran dense and MoE alternately; the bars reach the farthest round</source>
        <translation>稠密耗时除以 MoE 耗时；大于 1 表示比稠密模型快。取稠密与 MoE 交替运行各轮的中位数；误差条延伸到最远的一轮</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>BLEU for every encoder K × decoder K of the grid sweep</source>
        <translation>网格扫描中每组编码器 K × 解码器 K 的 BLEU</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Encoder K</source>
        <translation>编码器 K</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decoder K</source>
        <translation>解码器 K</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The numbers behind the plots; dense rows in italics</source>
        <translation>图表背后的数值；稠密行以斜体显示</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Grid sweeps:</source>
        <translation>网格扫描：</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>BLEU against active experts K</source>
        <translation>BLEU 随激活专家数 K 的变化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Translation time against active experts K</source>
        <translation>翻译耗时随激活专家数 K 的变化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Speedup against active experts K</source>
        <translation>加速比随激活专家数 K 的变化</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Partition %1, router %2, %3 experts%4</source>
        <translation>划分 %1，路由器 %2，%3 个专家%4</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>, encoder K × decoder K grid</source>
        <translation>，编码器 K × 解码器 K 网格</translation>
    </message>
    <message>
        <location line="+110"/>
        <source>%1 (dense)</source>
        <translation>%1（稠密）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>dense (dashed)</source>
        <translation>稠密（虚线）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>dense (1×)</source>
        <translation>稠密（1×）</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>BLEU (dense %1)</source>
        <translation>BLEU（稠密 %1）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Export sweep table</source>
        <translation>导出扫描表</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
</context>
<context>
    <name>moewb::gui::TranslatorPanel</name>
    <message>
        <source> (per target token ×%1 ± %2)</source>
        <translation>（按目标词元 ×%1 ± %2）</translation>
    </message>
    <message numerus="yes">
        <source>; %n target token(s) written</source>
        <translation>
            <numerusform>；生成 %n 个目标词元</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 · %2 ms/token</source>
        <translation>%1 · %2 毫秒/词元</translation>
    </message>
    <message>
        <location filename="../widgets/TranslatorPanel.cpp" line="+34"/>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Greedy translation of this sentence: median wall time of %n timed run(s) after one warm-up run, alternating dense and MoE runs when both are shown</source>
        <translation>
            <numerusform>此句子的贪心翻译：预热一次后，%n 次计时运行的实际耗时中位数；同时显示两者时稠密与 MoE 交替运行</numerusform>
        </translation>
    </message>
    <message>
        <location line="+74"/>
        <source>Type a German sentence first, then add it.</source>
        <translation>请先输入一个德语句子，再添加。</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>Added %n sentence(s) from %1.</source>
        <translation>
            <numerusform>已从 %1 添加 %n 个句子。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Could not read the parallel text: %1</source>
        <translation>无法读取平行文本：%1</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Type a German sentence, e.g. Ein Hund rennt über die Wiese.</source>
        <translation>输入一个德语句子，例如 Ein Hund rennt über die Wiese.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The German sentence; it is translated as you type</source>
        <translation>德语句子；输入时即实时翻译</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Optional English reference, for sentence BLEU</source>
        <translation>可选的英文参考译文，用于句子级 BLEU</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A reference translation; with one, both outputs get a sentence BLEU score (sacreBLEU&apos;s sentence_bleu)</source>
        <translation>参考译文；提供后，两种输出都会得到句子级 BLEU 分数（sacreBLEU 的 sentence_bleu）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>German:</source>
        <translation>德语：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reference:</source>
        <translation>参考译文：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The expert partition: how each feed-forward layer&apos;s neurons are split into experts</source>
        <translation>专家划分：每个前馈层的神经元如何划分为专家</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The router that picks each token&apos;s experts (only routers trained for the chosen partition are listed)</source>
        <translation>为每个词元选择专家的路由器（只列出为所选划分训练的路由器）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Active experts K per token and layer: fewer experts, less feed-forward compute</source>
        <translation>每个词元每层的激活专家数 K：专家越少，前馈计算越少</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Active experts of all experts</source>
        <translation>激活专家数 / 专家总数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Partition:</source>
        <translation>划分：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Router:</source>
        <translation>路由器：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Active experts:</source>
        <translation>激活专家：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Feed-forward multiply-adds per token relative to the dense model: the K/N experts computed, plus what the router itself costs</source>
        <translation>每个词元的前馈乘加运算量相对稠密模型的比例：计算的 K/N 个专家，加上路由器本身的开销</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Dense (every neuron)</source>
        <translation>稠密（所有神经元）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The original model, every feed-forward neuron computed</source>
        <translation>原始模型，计算所有前馈神经元</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Greedy translation by the dense model</source>
        <translation>稠密模型的贪心翻译</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dense translation time</source>
        <translation>稠密翻译耗时</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sentence BLEU of the dense translation against the reference</source>
        <translation>稠密翻译相对参考译文的句子级 BLEU</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+308"/>
        <source>Mixture of experts</source>
        <translation>混合专家</translation>
    </message>
    <message>
        <location line="-304"/>
        <source>The same model with each feed-forward layer run as a mixture of experts: only the K experts the router picks are computed</source>
        <translation>同一模型，每个前馈层以混合专家方式运行：只计算路由器选出的 K 个专家</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Greedy translation with K active experts per token</source>
        <translation>每个词元使用 K 个激活专家的贪心翻译</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MoE translation time</source>
        <translation>MoE 翻译耗时</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sentence BLEU of the MoE translation against the reference</source>
        <translation>MoE 翻译相对参考译文的句子级 BLEU</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Dense time divided by MoE time for this sentence (whole translation, not only the feed-forward layers): the median over rounds that ran dense and MoE alternately, ± the farthest round. Per target token too when the outputs differ in length.</source>
        <translation>此句子的稠密耗时除以 MoE 耗时（整个翻译过程，不仅是前馈层）：稠密与 MoE 交替运行各轮的中位数，± 最远一轮的偏差。输出长度不同时也给出按目标词元的值。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>What the translator is doing</source>
        <translation>翻译器当前的状态</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Experts fired per token</source>
        <translation>每个词元激活的专家</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Live translator</source>
        <translation>实时翻译器</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>K = –</source>
        <translation>K = –</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Feed-forward compute: dense (no partition chosen)</source>
        <translation>前馈计算量：稠密（未选择划分）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>K = %1 of %2</source>
        <translation>K = %1 / %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Feed-forward compute: %1 % of dense (K = %2 of %3 experts, shared neurons and router included)</source>
        <translation>前馈计算量：稠密的 %1 %（%3 个专家中的 K = %2，含共享神经元和路由器）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No expert partition yet: run the Partitions step (or “moewb partition”) to compare with a mixture of experts.</source>
        <translation>尚无专家划分：请运行“划分”步骤（或“moewb partition”）以与混合专家进行对比。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Partition “%1” has no expert blocks for this model: reopen the project.</source>
        <translation>划分“%1”没有适用于此模型的专家块：请重新打开项目。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No router for partition “%1” yet: run the Routers step (or “moewb route --partition %1”) first.</source>
        <translation>划分“%1”尚无路由器：请先运行“路由器”步骤（或“moewb route --partition %1”）。</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>No model loaded: open a project or load a model first (then partition it and train routers to compare with experts).</source>
        <translation>未加载模型：请先打开项目或加载模型（然后对其进行划分并训练路由器，以便与专家进行对比）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Type a German sentence or pick one from the list.</source>
        <translation>输入一个德语句子，或从列表中选择一个。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Translating</source>
        <translation>正在翻译</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Translation failed: %1</source>
        <translation>翻译失败：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Translation cancelled; the previous output is still shown.</source>
        <translation>翻译已取消；仍显示之前的输出。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Translating…</source>
        <translation>正在翻译…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Mixture of experts (K = %1 of %2)</source>
        <translation>混合专家（K = %1 / %2）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Speedup: ×%1 ± %2</source>
        <translation>加速比：×%1 ± %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>BLEU: no reference</source>
        <translation>BLEU：无参考译文</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>BLEU: %1</source>
        <translation>BLEU：%1</translation>
    </message>
    <message>
        <location filename="../widgets/TranslatorPanel.cpp" line="336"/>
        <source>%1, fine-tuned %2</source>
        <translation>%1，微调模型 %2</translation>
    </message>
    <message>
        <source>Feed-forward multiply-adds per token relative to the dense model: the K/N experts computed, plus what the router itself costs (with dynamic K the bound; the MoE box shows what a translation did)</source>
        <translation>每个词元的前馈乘加次数相对于稠密模型的比例：计算的 K/N 个专家，加上路由器本身的开销（动态 K 时为上限；MoE 框中显示一次翻译实际完成的量）</translation>
    </message>
    <message>
        <source>Measured in this translation: the share of the dense feed-forward multiply-adds done (router and shared neurons included, encoder and decoder together), and the mean experts a token ran</source>
        <translation>在本次翻译中测得：实际完成的稠密前馈乘加次数所占比例（含路由器与共享神经元，编码器与解码器合计），以及每个词元平均运行的专家数</translation>
    </message>
    <message>
        <source>Feed-forward compute: at most %1 % of dense (K ≤ %2 of %3 experts, shared neurons and router included; each token stops at τ = %4 of the router&apos;s mass)</source>
        <translation>前馈计算量：至多稠密的 %1 %（%3 个专家中 K ≤ %2，含共享神经元和路由器；每个词元在达到路由器质量的 τ = %4 时停止）</translation>
    </message>
    <message>
        <source>Mixture of experts (dynamic: τ %1, K ≤ %2 of %3)</source>
        <translation>混合专家（动态：τ %1，K ≤ %2 / %3）</translation>
    </message>
    <message>
        <source>compute %1 % · %2 experts per token</source>
        <translation>计算量 %1 % · 每词元 %2 个专家</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/gui/main.cpp" line="+28"/>
        <source>Use the user-interface language &lt;code&gt;, e.g. zh_CN or en (default: the &quot;language&quot; setting, then the system locale).</source>
        <translation>使用界面语言 &lt;代码&gt;，例如 zh_CN 或 en（默认：先取“language”设置，再取系统区域设置）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>no translation for &quot;%1&quot;; showing English</source>
        <translation>没有“%1”的翻译；显示英文</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>MoE Workbench</source>
        <translation>MoE 工作台</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>See and feel the MoEfication of a German→English Transformer.</source>
        <translation>直观体验德→英 Transformer 的 MoE 化。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Open the project in &lt;folder&gt; (created when it has no project.json; default: the default project).</source>
        <translation>打开 &lt;文件夹&gt; 中的项目（如其中没有 project.json 则新建；默认：默认项目）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+13"/>
        <location line="+6"/>
        <source>folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Once the project is loaded, save a PNG picture of the window to &lt;file&gt; and quit.</source>
        <translation>项目加载完成后，将窗口的 PNG 截图保存到 &lt;文件&gt; 并退出。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Once the project is loaded, save a PNG picture of every tab into &lt;folder&gt; and quit.</source>
        <translation>项目加载完成后，将每个标签页的 PNG 截图保存到 &lt;文件夹&gt; 并退出。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open the project, write every figure (PNG, PDF, SVG) into &lt;folder&gt; and quit (no steps are run).</source>
        <translation>打开项目，将每个图形（PNG、PDF、SVG）写入 &lt;文件夹&gt; 并退出（不运行任何步骤）。</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>cannot write &quot;%1&quot;</source>
        <translation>无法写入“%1”</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>cannot write the screenshot &quot;%1&quot;</source>
        <translation>无法写入截图“%1”</translation>
    </message>
</context>
</TS>
