// Fills an XForm with JavaRosa (the engine inside ODK Collect) for several answer sets and prints, for each,
// the questions form entry stopped on, any refused answer, and the finalized record with its calculates.
// Run: java -Djava.awt.headless=true -cp ODK_Validate.jar JrFill.java form.xml answers.txt [language]
// answers.txt: blocks of "name<TAB>value" lines, one block per answer set, blocks separated by "---".
// language: the form language to select, as the XForm names it (e.g. "العربية (ar)"), as a user picks it in Collect;
// each record then says the language in force and the text (outputs filled in) of every question it showed.
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.data.AnswerDataFactory;
import org.javarosa.core.model.data.IAnswerData;
import org.javarosa.core.model.data.UncastData;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.model.xform.XFormSerializingVisitor;
import org.javarosa.xform.util.XFormUtils;

public class JrFill {
    public static void main(String[] args) throws Exception {
        String text = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
        for (String block : text.split("(?m)^---$")) {
            Map<String, String> answers = new LinkedHashMap<>();
            for (String line : block.split("\n")) {
                int tab = line.indexOf('\t');
                if (tab > 0) answers.put(line.substring(0, tab), line.substring(tab + 1));
            }
            fill(args[0], answers, args.length > 2 ? args[2] : null);
        }
    }

    static void fill(String form, Map<String, String> answers, String language) throws Exception {
        FormDef def;
        try (FileInputStream in = new FileInputStream(form)) {
            def = XFormUtils.getFormFromInputStream(in);
        }
        def.initialize(true, new InstanceInitializationFactory());
        FormEntryModel model = new FormEntryModel(def);
        FormEntryController entry = new FormEntryController(model);
        if (language != null) entry.setLanguage(language);
        StringBuilder texts = new StringBuilder();
        List<String> asked = new ArrayList<>();
        StringBuilder refused = new StringBuilder();
        int event;
        while ((event = entry.stepToNextEvent()) != FormEntryController.EVENT_END_OF_FORM) {
            if (event != FormEntryController.EVENT_QUESTION) continue;
            FormEntryPrompt prompt = model.getQuestionPrompt();
            String name = prompt.getIndex().getReference().getNameLast();
            asked.add(name);
            String shown = prompt.getLongText();
            texts.append("TEXT ").append(name).append('\t')
                 .append(shown == null ? "" : shown.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            String value = answers.get(name);
            if (value == null) continue;
            IAnswerData data = AnswerDataFactory.templateByDataType(prompt.getDataType()).cast(new UncastData(value));
            int status = entry.answerQuestion(data, true);
            if (status != FormEntryController.ANSWER_OK) refused.append("REFUSED ").append(name).append(' ').append(status).append('\n');
        }
        entry.finalizeFormEntry();
        byte[] xml = new XFormSerializingVisitor().serializeInstance(def.getMainInstance());
        System.out.print("ASKED " + String.join(" ", asked) + "\nLANG " + model.getLanguage() + "\n" + refused + texts);
        System.out.print(new String(xml, StandardCharsets.UTF_8) + "\n=====\n");
    }
}
