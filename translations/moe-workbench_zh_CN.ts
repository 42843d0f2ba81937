<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>JobRunner</name>
    <message>
        <location filename="../widgets/JobRunner.cpp" line="+63"/>
        <source>Unknown error</source>
        <translation>未知错误</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../widgets/MainWindow.cpp" line="+42"/>
        <source>MoE Workbench</source>
        <translation>MoE 工作台</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The pipeline steps and the data sources</source>
        <translation>流水线各步骤与数据来源</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>“%1” finished</source>
        <translation>“%1”已完成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“%1” cancelled</source>
        <translation>“%1”已取消</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>“%1” failed: %2</source>
        <translation>“%1”失败：%2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Close the workbench; running jobs are cancelled</source>
        <translation>关闭工作台；正在运行的任务将被取消</translation>
    </message>
    <message>
        <location line="+2"/>
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
        <location line="+9"/>
        <source>Progress of the running job</source>
        <translation>正在运行的任务的进度</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the running job; the results shown so far stay as they are</source>
        <translation>停止正在运行的任务；当前显示的结果保持不变</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>&lt;h3&gt;MoE Workbench %1&lt;/h3&gt;&lt;p&gt;See and feel the MoEfication of a German→English Transformer: profile its feed-forward layers, split them into experts, route tokens to a few of them, and measure what that does to speed and translation quality.&lt;/p&gt;&lt;p&gt;Licence: GNU GPL version 3 or later.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MoE 工作台 %1&lt;/h3&gt;&lt;p&gt;直观体验德→英 Transformer 的 MoE 化：分析其前馈层，将神经元划分为专家，把每个词元路由到其中少数几个专家，并测量这对速度和翻译质量的影响。&lt;/p&gt;&lt;p&gt;许可证：GNU GPL 第 3 版或更高版本。&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&lt;p&gt;Qt %1 (built with %2)&lt;br&gt;LibTorch %3&lt;br&gt;METIS %4&lt;br&gt;QCustomPlot %5&lt;/p&gt;</source>
        <translation>&lt;p&gt;Qt %1（构建时为 %2）&lt;br&gt;LibTorch %3&lt;br&gt;METIS %4&lt;br&gt;QCustomPlot %5&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>About MoE Workbench</source>
        <translation>关于 MoE 工作台</translation>
    </message>
</context>
<context>
    <name>OverviewView</name>
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
    <name>main</name>
    <message>
        <location filename="../app/gui/main.cpp" line="+23"/>
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
        <source>Show the main window, save a PNG picture of it to &lt;file&gt; and quit.</source>
        <translation>显示主窗口，将其 PNG 截图保存到 &lt;文件&gt; 后退出。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>cannot write the screenshot &quot;%1&quot;</source>
        <translation>无法写入截图“%1”</translation>
    </message>
</context>
</TS>
